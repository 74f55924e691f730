/**
 * Strict parsers for the SIEM wire formats (CEF, LEEF 2.0, RFC 5424 with RFC 5425 framing), so
 * tests read back what src/siem wrote and compare it with the record. Written from the specs,
 * not from our encoders: an escape the spec does not define is an error here, not a guess.
 */
import assert from 'node:assert/strict';

/** Splits `text` at unescaped `sep`, `count` times at most; returns the raw (still escaped) pieces and the rest. */
function splitEscaped(text: string, sep: string, count: number): { parts: string[]; rest: string } {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length && parts.length < count; i += 1) {
    if (text[i] === '\\') { i += 1; continue; }
    if (text[i] === sep) { parts.push(text.slice(start, i)); start = i + 1; }
  }
  assert.equal(parts.length, count, `expected ${count} unescaped ${JSON.stringify(sep)} in ${JSON.stringify(text.slice(0, 80))}`);
  return { parts, rest: text.slice(start) };
}

/** Undoes backslash escapes, allowing only those in `allowed` (`n` and `r` mean LF and CR). */
function unescape(text: string, allowed: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (c !== '\\') { out += c; continue; }
    const next = text[i + 1];
    assert.ok(next !== undefined && allowed.includes(next), `undefined escape \\${next ?? '<end>'} in ${JSON.stringify(text.slice(0, 80))}`);
    out += next === 'n' ? '\n' : next === 'r' ? '\r' : next;
    i += 1;
  }
  return out;
}

export interface ParsedCef {
  readonly version: string;
  readonly vendor: string;
  readonly product: string;
  readonly deviceVersion: string;
  readonly signatureId: string;
  readonly name: string;
  readonly severity: string;
  readonly extension: Map<string, string>;
}

/** Parses one CEF line (CEF implementation standard, "CEF: Header and Extension", "Character Encoding"). */
export function parseCef(line: string): ParsedCef {
  assert.ok(line.startsWith('CEF:'), 'a CEF line starts with CEF:');
  assert.ok(!/[\r\n]/.test(line), 'a CEF line holds no raw CR or LF');
  const { parts, rest } = splitEscaped(line.slice(4), '|', 7);
  const header = parts.map((p) => unescape(p, '\\|'));
  const extension = new Map<string, string>();
  // Every unescaped `=` ends a key: the run of key characters after the previous space.
  const equals: number[] = [];
  for (let i = 0; i < rest.length; i += 1) {
    if (rest[i] === '\\') { i += 1; continue; }
    if (rest[i] === '=') equals.push(i);
  }
  const keys = equals.map((eq) => {
    const space = rest.lastIndexOf(' ', eq);
    const start = space + 1;
    const key = rest.slice(start, eq);
    assert.match(key, /^[A-Za-z0-9]+$/, `CEF key ${JSON.stringify(key)}`);
    return { key, start, eq };
  });
  keys.forEach(({ key, eq }, n) => {
    const end = n + 1 < keys.length ? keys[n + 1]!.start - 1 : rest.length;
    assert.ok(!extension.has(key), `CEF key ${key} appears once`);
    extension.set(key, unescape(rest.slice(eq + 1, end), '\\=nr'));
  });
  assert.ok(keys.length > 0 || rest === '', 'CEF extension is key=value pairs');
  return {
    version: header[0]!, vendor: header[1]!, product: header[2]!, deviceVersion: header[3]!,
    signatureId: header[4]!, name: header[5]!, severity: header[6]!, extension,
  };
}

export interface ParsedLeef {
  readonly version: string;
  readonly vendor: string;
  readonly product: string;
  readonly productVersion: string;
  readonly eventId: string;
  readonly delimiter: string;
  readonly attributes: Map<string, string>;
}

/** Parses one LEEF 2.0 line (LEEF guide, "LEEF event components"); the delimiter may be a character or `x5E`/`0x5E` hex. */
export function parseLeef(line: string): ParsedLeef {
  assert.ok(line.startsWith('LEEF:'), 'a LEEF line starts with LEEF:');
  assert.ok(!/[\r\n]/.test(line), 'a LEEF line holds no raw CR or LF');
  const { parts, rest } = splitEscaped(line.slice(5), '|', 6);
  const header = parts.map((p) => unescape(p, '\\|'));
  const declared = header[5]!;
  const hex = /^(?:0x|x)([0-9a-fA-F]{2,4})$/.exec(declared);
  const delimiter = hex !== null ? String.fromCharCode(parseInt(hex[1]!, 16)) : declared === '' ? '\t' : declared;
  assert.equal([...delimiter].length, 1, 'one delimiter character');
  const attributes = new Map<string, string>();
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i < rest.length; i += 1) {
    if (rest[i] === '\\') { i += 1; continue; }
    if (rest[i] === delimiter) { pieces.push(rest.slice(start, i)); start = i + 1; }
  }
  pieces.push(rest.slice(start));
  for (const piece of pieces) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    assert.ok(eq > 0, `LEEF attribute ${JSON.stringify(piece.slice(0, 40))} is key=value`);
    const key = piece.slice(0, eq);
    assert.match(key, /^[A-Za-z][A-Za-z0-9]*$/);
    assert.ok(!attributes.has(key), `LEEF key ${key} appears once`);
    attributes.set(key, unescape(piece.slice(eq + 1), `\\nr${delimiter}`));
  }
  return {
    version: header[0]!, vendor: header[1]!, product: header[2]!, productVersion: header[3]!,
    eventId: header[4]!, delimiter, attributes,
  };
}

export interface ParsedSyslog {
  readonly pri: number;
  readonly facility: number;
  readonly severity: number;
  readonly version: string;
  readonly timestamp: string;
  readonly hostname: string;
  readonly appName: string;
  readonly procId: string;
  readonly msgId: string;
  /** SD-ID → its params, in order. */
  readonly structuredData: Map<string, Map<string, string>>;
  readonly bom: boolean;
  readonly msg: string;
}

const bomBytes = Buffer.from([0xef, 0xbb, 0xbf]);

/** Parses one RFC 5424 message (§6 ABNF); MSG must be valid UTF-8 (decoded strictly). */
export function parseSyslog(message: Buffer): ParsedSyslog {
  const ascii = message.toString('latin1');
  const head = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(ascii);
  assert.ok(head !== null, `RFC 5424 header in ${JSON.stringify(ascii.slice(0, 80))}`);
  const fields = head.slice(1);
  for (const f of fields) assert.match(f, /^[\x21-\x7e]+$/, 'header fields are PRINTUSASCII');
  assert.ok(fields[3]!.length <= 255 && fields[4]!.length <= 48 && fields[5]!.length <= 128 && fields[6]!.length <= 32, 'header field lengths (§6.2.4–§6.2.7)');
  let i = head[0].length;
  const sd = new Map<string, Map<string, string>>();
  const text = message.toString('utf8');
  // SD is ASCII-prefixed but PARAM-VALUE is UTF-8: walk the decoded text from the same offset.
  let j = Buffer.from(ascii.slice(0, i), 'latin1').toString('utf8').length;
  if (text[j] === '-') j += 1;
  else {
    while (text[j] === '[') {
      j += 1;
      const idEnd = text.slice(j).search(/[ \]]/) + j;
      const id = text.slice(j, idEnd);
      const params = new Map<string, string>();
      j = idEnd;
      while (text[j] === ' ') {
        const eq = text.indexOf('=', j);
        const name = text.slice(j + 1, eq);
        assert.match(name, /^[^= \]"]{1,32}$/);
        assert.equal(text[eq + 1], '"');
        let k = eq + 2;
        let value = '';
        for (; text[k] !== '"'; k += 1) {
          assert.ok(k < text.length, 'SD-PARAM value ends');
          if (text[k] === '\\' && '"\\]'.includes(text[k + 1] ?? '')) { k += 1; }
          else assert.notEqual(text[k], ']', 'an unescaped ] inside PARAM-VALUE');
          value += text[k];
        }
        params.set(name, value);
        j = k + 1;
      }
      assert.equal(text[j], ']');
      j += 1;
      sd.set(id, params);
    }
  }
  i = Buffer.byteLength(text.slice(0, j), 'utf8');
  let rest = message.subarray(i);
  let bom = false;
  if (rest.length > 0) {
    assert.equal(rest[0], 0x20, 'SP before MSG');
    rest = rest.subarray(1);
    if (rest.subarray(0, 3).equals(bomBytes)) { bom = true; rest = rest.subarray(3); }
  }
  const msg = new TextDecoder('utf-8', { fatal: true }).decode(rest);
  const pri = Number(fields[0]);
  return {
    pri, facility: Math.floor(pri / 8), severity: pri % 8, version: fields[1]!, timestamp: fields[2]!,
    hostname: fields[3]!, appName: fields[4]!, procId: fields[5]!, msgId: fields[6]!, structuredData: sd, bom, msg,
  };
}

/** Splits an RFC 5425 octet-counted stream into messages; the stream must end on a frame boundary. */
export function unframeOctetCounted(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < stream.length) {
    const sp = stream.indexOf(0x20, at);
    assert.ok(sp > at, 'MSG-LEN before SP');
    const lenText = stream.subarray(at, sp).toString('ascii');
    assert.match(lenText, /^[1-9][0-9]*$/, 'MSG-LEN is NONZERO-DIGIT *DIGIT');
    const len = Number(lenText);
    assert.ok(sp + 1 + len <= stream.length, 'the frame holds MSG-LEN octets');
    out.push(stream.subarray(sp + 1, sp + 1 + len));
    at = sp + 1 + len;
  }
  return out;
}
