import { toString as qrToString } from 'qrcode';

/**
 * Renders text (the otpauth:// URI of a TOTP enrolment) as a QR code in SVG, to inline in the
 * enrolment page. Error correction M (15%) and the 4-module quiet zone ISO/IEC 18004 asks for.
 * The SVG holds only paths: no script, no external reference.
 */
export async function qrSvg(text: string): Promise<string> {
  return qrToString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}
