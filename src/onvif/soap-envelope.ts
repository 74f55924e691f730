/**
 * SOAP 1.2 envelopes for ONVIF calls: building a request and reading an answer's body or fault
 * (ONVIF Core §5.6: faults carry a subcode such as `ter:NotAuthorized`). Every answer goes through
 * parseSafeXml, so its bounds and DOCTYPE refusal hold for every call.
 */
import { AppError } from '../lib/errors.ts';
import { ns } from './namespaces.ts';
import { child, parseSafeXml } from './safe-xml.ts';
import type { XmlElement, XmlLimits } from './safe-xml.ts';

/** A request envelope: `header` (already-serialised XML, e.g. WS-Security) and one body element. */
export function soapEnvelope(body: string, header = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="${ns.soap}" xmlns:tds="${ns.tds}" xmlns:trt="${ns.trt}" xmlns:tptz="${ns.tptz}" xmlns:tt="${ns.tt}">` +
    (header === '' ? '' : `<s:Header>${header}</s:Header>`) +
    `<s:Body>${body}</s:Body></s:Envelope>`
  );
}

/** A SOAP fault read from an answer. */
export interface SoapFault {
  /** `Sender`/`Receiver` and the innermost subcode's local name (`NotAuthorized`, `ActionNotSupported`). */
  readonly code: string;
  readonly subcode: string | null;
  readonly reason: string;
}

/** Reads a fault from a parsed envelope, or null when the body holds none. */
export function readFault(envelope: XmlElement): SoapFault | null {
  const fault = child(child(envelope, ns.soap, 'Body'), ns.soap, 'Fault');
  if (fault === undefined) return null;
  const codeEl = child(fault, ns.soap, 'Code');
  let subcode: string | null = null;
  let sub = child(codeEl, ns.soap, 'Subcode');
  while (sub !== undefined) {
    const v = child(sub, ns.soap, 'Value')?.text;
    if (v !== undefined) subcode = v.replace(/^.*:/, '');
    sub = child(sub, ns.soap, 'Subcode');
  }
  const code = (child(codeEl, ns.soap, 'Value')?.text ?? 'Unknown').replace(/^.*:/, '');
  const reason = child(child(fault, ns.soap, 'Reason'), ns.soap, 'Text')?.text ?? '';
  return { code, subcode, reason: reason.slice(0, 200) };
}

/**
 * The body's first element of an answer; throws ONVIF_FAULT for a fault or a missing body and
 * XML_REFUSED for a document parseSafeXml refuses.
 */
export function readSoapBody(text: string | Uint8Array, limits?: XmlLimits): XmlElement {
  const envelope = parseSafeXml(text, limits);
  if (envelope.namespace !== ns.soap || envelope.localName !== 'Envelope') {
    throw new AppError('ONVIF_FAULT', 'the answer is not a SOAP 1.2 envelope');
  }
  const fault = readFault(envelope);
  if (fault !== null) {
    throw new AppError('ONVIF_FAULT', `SOAP fault ${fault.code}${fault.subcode === null ? '' : `/${fault.subcode}`}: ${fault.reason}`, { ...fault });
  }
  const first = child(envelope, ns.soap, 'Body')?.children[0];
  if (first === undefined) throw new AppError('ONVIF_FAULT', 'the SOAP body is empty');
  return first;
}

/** A fault envelope (camsim and tests answer with it). */
export function soapFault(code: 'Sender' | 'Receiver', subcode: string, reason: string): string {
  return soapEnvelope(
    `<s:Fault><s:Code><s:Value>s:${code}</s:Value><s:Subcode><s:Value>ter:${subcode}</s:Value></s:Subcode></s:Code>` +
      `<s:Reason><s:Text xml:lang="en">${reason.replace(/[<&]/g, '')}</s:Text></s:Reason></s:Fault>`,
  ).replace('<s:Envelope ', `<s:Envelope xmlns:ter="${ns.ter}" `);
}
