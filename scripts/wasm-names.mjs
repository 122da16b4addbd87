// Shortens the names a wasm module imports from its wasm-bindgen glue and
// exports to it: wasm-bindgen names each import `__wbg_<what>_<16 hex
// digits>` and each closure export `wasm_bindgen__convert__closures_____
// invoke__h<16 hex digits>`, and every name travels twice, in the .wasm and
// in the glue. Short names make both smaller; the hex digits alone are most
// of what gzip cannot shrink. The import and export sections are rewritten
// entry by entry; the other sections are copied as they are.

function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error('wasm: truncated LEB128');
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [value, at];
  }
}

function leb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

function readName(bytes, at) {
  const [length, start] = readLeb(bytes, at);
  return [new TextDecoder().decode(bytes.subarray(start, start + length)), start + length];
}

function name(text) {
  const encoded = new TextEncoder().encode(text);
  return [...leb(encoded.length), ...encoded];
}

// The bytes an import's description takes after its kind byte.
function skipDescription(bytes, kind, at) {
  const limits = (at) => {
    const flags = bytes[at++];
    [, at] = readLeb(bytes, at);
    if (flags & 1) [, at] = readLeb(bytes, at);
    return at;
  };
  switch (kind) {
    case 0: // function: type index
      return readLeb(bytes, at)[1];
    case 1: // table: reference type, limits
      return limits(at + 1);
    case 2: // memory: limits
      return limits(at);
    case 3: // global: value type, mutability
      return at + 2;
    case 4: // tag: attribute, type index
      return readLeb(bytes, at + 1)[1];
    default:
      throw new Error(`wasm: unknown import kind ${kind}`);
  }
}

// a, b, ..., z, A, ..., Z, aa, ab, ...: valid JS identifiers, no keywords
// among the short ones that could clash (`do`, `if`, `in` are skipped).
function* shortNames() {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const reserved = new Set(['do', 'if', 'in']);
  for (let length = 1; ; length++) {
    const count = letters.length ** length;
    for (let n = 0; n < count; n++) {
      let text = '';
      for (let rest = n, i = 0; i < length; i++, rest = Math.floor(rest / letters.length)) {
        text = letters[rest % letters.length] + text;
      }
      if (!reserved.has(text)) yield text;
    }
  }
}

/**
 * Renames every import of `wasm` from module `from` to a short name, the
 * module itself to `to`, and every export to a short name. Returns the new
 * bytes and the renames, old name to new name (`imports`, `exports`).
 */
export function minifyNames(wasm, from, to) {
  const bytes = new Uint8Array(wasm);
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('wasm: not a module');
  const parts = [bytes.subarray(0, 8)];
  const renames = new Map();
  const exported = new Map();
  const names = shortNames();
  const exportNames = shortNames();
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = readLeb(bytes, at + 1);
    const end = start + size;
    if (id === 7) {
      let [count, cursor] = readLeb(bytes, start);
      const section = [...leb(count)];
      for (let i = 0; i < count; i++) {
        let field;
        [field, cursor] = readName(bytes, cursor);
        const after = readLeb(bytes, cursor + 1)[1];
        if (!exported.has(field)) exported.set(field, exportNames.next().value);
        section.push(...name(exported.get(field)));
        for (const byte of bytes.subarray(cursor, after)) section.push(byte);
        cursor = after;
      }
      if (cursor !== end) throw new Error('wasm: the export section has trailing bytes');
      parts.push(Uint8Array.from([7, ...leb(section.length), ...section]));
      at = end;
      continue;
    }
    if (id !== 2) {
      parts.push(bytes.subarray(at, end));
      at = end;
      continue;
    }
    let [count, cursor] = readLeb(bytes, start);
    const section = [...leb(count)];
    for (let i = 0; i < count; i++) {
      let module, field;
      [module, cursor] = readName(bytes, cursor);
      [field, cursor] = readName(bytes, cursor);
      const kind = bytes[cursor];
      const after = skipDescription(bytes, kind, cursor + 1);
      if (module === from) {
        if (!renames.has(field)) renames.set(field, names.next().value);
        section.push(...name(to), ...name(renames.get(field)));
      } else {
        section.push(...name(module), ...name(field));
      }
      for (const byte of bytes.subarray(cursor, after)) section.push(byte);
      cursor = after;
    }
    if (cursor !== end) throw new Error('wasm: the import section has trailing bytes');
    parts.push(Uint8Array.from([2, ...leb(section.length), ...section]));
    at = end;
  }
  const wasmOut = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    wasmOut.set(part, offset);
    offset += part.length;
  }
  return { wasm: wasmOut, imports: renames, exports: exported };
}
