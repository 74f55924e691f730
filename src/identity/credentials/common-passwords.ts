/**
 * Default and factory passwords of cameras, recorders and VMS products, and the credentials
 * IoT botnets (Mirai and its successors) try first. The password policy refuses each of them
 * (case-insensitively) on top of the zxcvbn common-password dictionary, which lacks many.
 * Sources: vendors' manuals and the Mirai scanner's credential table.
 */
export const deviceDefaultPasswords: readonly string[] = Object.freeze([
  // Generic defaults
  'admin', 'admin1', 'admin12', 'admin123', 'admin1234', 'admin12345', 'admin123456', 'Admin1234', 'Admin12345',
  'administrator', 'password', 'password1', 'pass', 'pass123', 'passw0rd', 'root', 'toor', 'user', 'guest',
  'default', 'changeme', 'letmein', 'system', 'service', 'support', 'supervisor', 'manager', 'operator',
  'camera', 'ipcam', 'ipcamera', 'webcam', 'video', 'vision', 'vision2', 'security', 'surveillance', 'nvr', 'dvr',
  // Digit runs and repeats used as factory PINs
  '1234', '4321', '12345', '54321', '123456', '654321', '1234567', '12345678', '123456789', '1234567890',
  '0000', '00000', '000000', '00000000', '1111', '11111', '111111', '1111111', '11111111',
  '666666', '888888', '9999', '99999', '999999', '123123', '1234qwer', 'qwer1234', 'qwerty',
  // Vendor defaults (Axis root/pass, Canon root/camera, IQinVision root/system, Samsung/Hanwha
  // admin/4321 and 1111111, Panasonic admin/12345, ACTi 123456, Lorex 000000 are listed above)
  'meinsm', // Mobotix
  'ubnt', // Ubiquiti
  'hikvision', // Hikvision (older firmware shipped admin/12345)
  'dahua', // Dahua (admin/admin, 888888, 666666)
  'ikwd', 'ikwb', // Toshiba
  'wbox', 'wbox123', // W-Box
  'instar', // Instar
  'fliradmin', // FLIR
  'jvc', // JVC
  // Product and vendor names
  'custos', 'pelco', 'geovision', 'avigilon', 'vivotek', 'axis', 'bosch', 'sony', 'panasonic', 'milestone', 'genetec',
  // Mirai and successors
  '7ujMko0admin', '7ujMko0vizxv', 'xc3511', 'vizxv', 'jvbzd', 'anko', 'zlxx.', 'hi3518', 'klv123', 'klv1234',
  'Zte521', 'realtek', 'smcadmin', 'juantech', 'dreambox', 'GM8182', '20080826', 'tlJwpbo6', 'S2fGqNFs', 'OxhlwSG8',
  'iDirect', 'tech', '1001chin', 'aquario', 'xmhdipc', 'hunt5759', 'Win1doW$', 'vhd1206',
]);
