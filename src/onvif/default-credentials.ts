/**
 * Factory-default camera credentials (issue 17 item 8), for the security score's credentials
 * factor. Custos compares the credentials it already holds for a camera with this list; it MUST
 * NOT try any of them against a live camera, and MUST NOT log or return the matching password
 * (the score says only "matches a known default for vendor X").
 *
 * Each entry has its source and the date of that source; `vendor: '*'` entries are defaults found
 * across many brands (the Mirai botnet's credential table, which broke into cameras and DVRs by
 * exactly these). Refresh: add entries with a source and date, keep `reviewed` current; the test
 * in security-score.test.ts checks every entry has both. Passwords here are public vendor
 * defaults, not secrets of anyone's installation.
 */

/** One default username/password pair. An empty password is a blank default. */
export interface DefaultCredential {
  /** The vendor as the ONVIF manufacturer would name it, or `*` for any vendor. */
  readonly vendor: string;
  readonly username: string;
  readonly password: string;
  readonly source: string;
  /**
   * Date of the source: YYYY-MM-DD when it is dated; `c. YYYY` (approximate: the era of the
   * manuals and firmware line the default applies to) when the manual is undated.
   */
  readonly sourceDate: string;
}

/** When this list was last reviewed against its sources. */
export const defaultCredentialsReviewed = '2026-12-07';

const mirai = { source: 'Mirai botnet source code as published, loader credential table (scanner.c add_auth_entry)', sourceDate: '2016-09-30' } as const;

/** The list. */
export const defaultCredentials: readonly DefaultCredential[] = [
  { vendor: 'Vivotek', username: 'root', password: '', source: 'Vivotek IP3112/IP3122 user manual, "Add Password to prevent Unauthorized Access" (administrator root, password blank)', sourceDate: 'c. 2006' },
  { vendor: 'Siqura', username: 'Admin', password: '1234', source: 'Siqura PD1103 user manual §5.4 "Log on to the camera" (built-in Admin account for API calls)', sourceDate: 'c. 2019' },
  { vendor: 'Hikvision', username: 'admin', password: '12345', source: 'Hikvision camera user manuals for firmware before 5.3.0 (admin/12345; later firmware asks for a new password at activation)', sourceDate: 'c. 2015' },
  { vendor: 'Dahua', username: 'admin', password: 'admin', source: 'Dahua IPC quick start guides before mandatory initialisation (firmware before 2017)', sourceDate: 'c. 2016' },
  { vendor: 'Dahua', username: '888888', password: '888888', source: 'Dahua IPC/DVR quick start guides (local administrator) before 2017', sourceDate: 'c. 2016' },
  { vendor: 'Dahua', username: '666666', password: '666666', source: 'Dahua IPC/DVR quick start guides (local user) before 2017', sourceDate: 'c. 2016' },
  { vendor: 'Axis', username: 'root', password: 'pass', source: 'Axis network camera user manuals for firmware 5.x and earlier (root/pass; firmware 5.50+ asks for a password at first access)', sourceDate: 'c. 2013' },
  { vendor: 'Hanwha', username: 'admin', password: '4321', source: 'Samsung Techwin (Hanwha) network camera user manuals before 2016 (admin/4321)', sourceDate: 'c. 2014' },
  { vendor: 'Samsung', username: 'admin', password: '4321', source: 'Samsung Techwin network camera user manuals before 2016 (admin/4321)', sourceDate: 'c. 2014' },
  { vendor: 'Panasonic', username: 'admin', password: '12345', source: 'Panasonic i-PRO network camera operating instructions, older models (admin/12345)', sourceDate: 'c. 2012' },
  { vendor: 'Amcrest', username: 'admin', password: 'admin', source: 'Amcrest IP camera quick start guides (admin/admin, change at first login)', sourceDate: 'c. 2017' },
  { vendor: 'Uniview', username: 'admin', password: '123456', source: 'Uniview IPC user manuals, older firmware (admin/123456)', sourceDate: 'c. 2016' },
  { vendor: 'Foscam', username: 'admin', password: '', source: 'Foscam IP camera user manuals (admin, blank password)', sourceDate: 'c. 2014' },
  { vendor: 'Reolink', username: 'admin', password: '', source: 'Reolink camera user manuals (admin, blank password until set)', sourceDate: 'c. 2018' },
  { vendor: 'Ubiquiti', username: 'ubnt', password: 'ubnt', source: 'Ubiquiti UniFi Video camera factory defaults (ubnt/ubnt)', sourceDate: 'c. 2016' },
  { vendor: 'Mobotix', username: 'admin', password: 'meinsm', source: 'Mobotix camera manuals (admin/meinsm); also in the Mirai table', sourceDate: 'c. 2016' },
  { vendor: 'Arecont Vision', username: 'admin', password: '', source: 'Arecont Vision camera user manuals (admin, blank password)', sourceDate: 'c. 2015' },
  { vendor: 'ACTi', username: 'Admin', password: '123456', source: 'ACTi camera user manuals (Admin/123456)', sourceDate: 'c. 2015' },
  { vendor: 'Canon', username: 'root', password: 'camera', source: 'Canon VB network camera manuals (root/camera)', sourceDate: 'c. 2012' },
  { vendor: '*', username: 'admin', password: 'admin', ...mirai },
  { vendor: '*', username: 'admin', password: '', ...mirai },
  { vendor: '*', username: 'admin', password: 'password', ...mirai },
  { vendor: '*', username: 'admin', password: '1234', ...mirai },
  { vendor: '*', username: 'admin', password: '12345', ...mirai },
  { vendor: '*', username: 'admin', password: '123456', ...mirai },
  { vendor: '*', username: 'admin', password: '54321', ...mirai },
  { vendor: '*', username: 'admin', password: '1111', ...mirai },
  { vendor: '*', username: 'admin', password: 'pass', ...mirai },
  { vendor: '*', username: 'admin', password: 'admin1234', ...mirai },
  { vendor: '*', username: 'root', password: '', ...mirai },
  { vendor: '*', username: 'root', password: 'root', ...mirai },
  { vendor: '*', username: 'root', password: 'pass', ...mirai },
  { vendor: '*', username: 'root', password: 'password', ...mirai },
  { vendor: '*', username: 'root', password: '12345', ...mirai },
  { vendor: '*', username: 'root', password: '123456', ...mirai },
  { vendor: '*', username: 'root', password: 'xc3511', ...mirai },
  { vendor: '*', username: 'root', password: 'vizxv', ...mirai },
  { vendor: '*', username: 'root', password: 'xmhdipc', ...mirai },
  { vendor: '*', username: 'root', password: 'juantech', ...mirai },
  { vendor: '*', username: 'root', password: 'hi3518', ...mirai },
  { vendor: '*', username: 'root', password: 'default', ...mirai },
  { vendor: '*', username: 'root', password: '888888', ...mirai },
  { vendor: '*', username: 'root', password: '666666', ...mirai },
  { vendor: '*', username: 'support', password: 'support', ...mirai },
  { vendor: '*', username: 'service', password: 'service', ...mirai },
  { vendor: '*', username: 'supervisor', password: 'supervisor', ...mirai },
  { vendor: '*', username: 'user', password: 'user', ...mirai },
  { vendor: '*', username: 'guest', password: 'guest', ...mirai },
  { vendor: '*', username: 'guest', password: '12345', ...mirai },
];
