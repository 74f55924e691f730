/**
 * The SOAP answers of the simulated ONVIF device and media services (devicemgmt.wsdl and
 * media.wsdl ver10), as templates: identity values are escaped, never interpreted.
 */
import { ns } from '../../src/onvif/namespaces.ts';
import { escapeXml as x } from '../../src/onvif/safe-xml.ts';
import { soapEnvelope } from '../../src/onvif/soap-envelope.ts';
import type { OnvifIdentity } from './onvif-identity.ts';

/** A simulated profile: main (camN) and sub stream. */
export interface SimProfile {
  readonly token: string;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly rtspUrl: string;
}

/** Answers by operation name; undefined for an operation the simulator does not implement. */
export function answerFor(op: string, id: OnvifIdentity, ctx: { deviceXaddr: string; mediaXaddr: string; ptzXaddr?: string; nowMs: number; profiles: readonly SimProfile[]; profileToken: string | null }): string | undefined {
  switch (op) {
    case 'GetDeviceInformation':
      return soapEnvelope(
        `<tds:GetDeviceInformationResponse><tds:Manufacturer>${x(id.manufacturer)}</tds:Manufacturer><tds:Model>${x(id.model)}</tds:Model>` +
          `<tds:FirmwareVersion>${x(id.firmwareVersion)}</tds:FirmwareVersion><tds:SerialNumber>${x(id.serialNumber)}</tds:SerialNumber>` +
          `<tds:HardwareId>${x(id.hardwareId)}</tds:HardwareId></tds:GetDeviceInformationResponse>`,
      );
    case 'GetNetworkInterfaces':
      return soapEnvelope(
        `<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0"><tt:Enabled>true</tt:Enabled>` +
          `<tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>${x(id.mac)}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info></tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>`,
      );
    case 'GetSystemDateAndTime': {
      const d = new Date(ctx.nowMs);
      return soapEnvelope(
        `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>` +
          `<tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
          `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime>` +
          `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`,
      );
    }
    case 'GetServices':
      return soapEnvelope(
        `<tds:GetServicesResponse>` +
          `<tds:Service><tds:Namespace>${ns.tds}</tds:Namespace><tds:XAddr>${x(ctx.deviceXaddr)}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
          `<tds:Service><tds:Namespace>${ns.trt}</tds:Namespace><tds:XAddr>${x(ctx.mediaXaddr)}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
          (ctx.ptzXaddr === undefined || ctx.ptzXaddr === '' ? '' : `<tds:Service><tds:Namespace>${ns.tptz}</tds:Namespace><tds:XAddr>${x(ctx.ptzXaddr)}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>`) +
          `</tds:GetServicesResponse>`,
      );
    case 'GetCapabilities':
      return soapEnvelope(
        `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${x(ctx.deviceXaddr)}</tt:XAddr></tt:Device>` +
          `<tt:Media><tt:XAddr>${x(ctx.mediaXaddr)}</tt:XAddr></tt:Media>` +
          (ctx.ptzXaddr === undefined || ctx.ptzXaddr === '' ? '' : `<tt:PTZ><tt:XAddr>${x(ctx.ptzXaddr)}</tt:XAddr></tt:PTZ>`) +
          `</tds:Capabilities></tds:GetCapabilitiesResponse>`,
      );
    case 'GetProfiles':
      return soapEnvelope(
        `<trt:GetProfilesResponse>` +
          ctx.profiles.map((p) =>
            `<trt:Profiles token="${x(p.token)}" fixed="true"><tt:Name>${x(p.name)}</tt:Name><tt:VideoEncoderConfiguration token="vec-${x(p.token)}">` +
              `<tt:Name>${x(p.name)}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${p.width}</tt:Width><tt:Height>${p.height}</tt:Height></tt:Resolution>` +
              `</tt:VideoEncoderConfiguration></trt:Profiles>`).join('') +
          `</trt:GetProfilesResponse>`,
      );
    case 'GetStreamUri': {
      const p = ctx.profiles.find((q) => q.token === ctx.profileToken);
      if (p === undefined) return undefined;
      return soapEnvelope(
        `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${x(p.rtspUrl)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
          `<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`,
      );
    }
    default:
      return undefined;
  }
}
