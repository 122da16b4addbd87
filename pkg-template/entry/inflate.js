// A small synchronous raw-DEFLATE (RFC 1951) decoder. The default entries
// carry their wasm deflated and base64-encoded: base64 of the raw module
// compresses about a third worse under the server's gzip, while base64 of
// deflated bytes costs about what the .wasm file itself would. The module is
// still instantiated synchronously on first use, so this must be
// synchronous too (DecompressionStream is not).

// Length and distance bases and extra bits (RFC 1951, 3.2.5).
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
// The order of the code length code lengths in a dynamic block header.
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

function corrupt() {
  return new Error('twin-panel: the inlined WebAssembly is corrupt');
}

// A lookup table for the canonical Huffman code of `lengths`: indexed by the
// next `bits` input bits (least significant first), each entry holds
// symbol << 4 | code length. An entry of 0 is no code.
function table(lengths) {
  let bits = 0;
  for (const length of lengths) if (length > bits) bits = length;
  const count = new Uint16Array(16);
  for (const length of lengths) count[length]++;
  count[0] = 0;
  const next = new Uint16Array(16);
  for (let length = 1, code = 0; length < 16; length++) {
    code = (code + count[length - 1]) << 1;
    next[length] = code;
  }
  const entries = new Uint16Array(1 << bits);
  lengths.forEach((length, symbol) => {
    if (length === 0) return;
    let code = next[length]++;
    // DEFLATE sends codes most significant bit first; the table is read
    // least significant first, so the code is reversed.
    let reversed = 0;
    for (let i = 0; i < length; i++, code >>= 1) reversed = (reversed << 1) | (code & 1);
    for (let i = reversed; i < entries.length; i += 1 << length) entries[i] = (symbol << 4) | length;
  });
  return { entries, bits };
}

const FIXED_LITERALS = table(Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)));
const FIXED_DISTANCES = table(new Array(30).fill(5));

/** Inflates raw DEFLATE `input` whose output is `size` bytes long. */
export function inflate(input, size) {
  const output = new Uint8Array(size);
  let at = 0; // input byte
  let buffer = 0; // bits not used yet
  let held = 0; // how many
  let out = 0;

  const need = (count) => {
    while (held < count) {
      if (at >= input.length) throw corrupt();
      buffer |= input[at++] << held;
      held += 8;
    }
  };
  const take = (count) => {
    need(count);
    const value = buffer & ((1 << count) - 1);
    buffer >>>= count;
    held -= count;
    return value;
  };
  const symbol = ({ entries, bits }) => {
    // Near the end of the input fewer bits may remain than the table reads.
    while (held < bits && at < input.length) {
      buffer |= input[at++] << held;
      held += 8;
    }
    const entry = entries[buffer & ((1 << bits) - 1)];
    const length = entry & 15;
    if (length === 0 || length > held) throw corrupt();
    buffer >>>= length;
    held -= length;
    return entry >> 4;
  };

  let last = 0;
  while (!last) {
    last = take(1);
    const type = take(2);
    if (type === 0) {
      // A stored block starts at the next byte boundary; whole bytes read
      // ahead into the buffer go back to the input.
      at -= held >> 3;
      buffer = 0;
      held = 0;
      if (at + 4 > input.length) throw corrupt();
      const length = input[at] | (input[at + 1] << 8);
      at += 4;
      if (at + length > input.length || out + length > size) throw corrupt();
      output.set(input.subarray(at, at + length), out);
      at += length;
      out += length;
      continue;
    }
    let literals = FIXED_LITERALS;
    let distances = FIXED_DISTANCES;
    if (type === 2) {
      const literalCount = take(5) + 257;
      const distanceCount = take(5) + 1;
      const clenCount = take(4) + 4;
      const clens = new Array(19).fill(0);
      for (let i = 0; i < clenCount; i++) clens[CLEN_ORDER[i]] = take(3);
      const clenTable = table(clens);
      const lengths = [];
      while (lengths.length < literalCount + distanceCount) {
        const code = symbol(clenTable);
        if (code < 16) {
          lengths.push(code);
        } else {
          if (code === 16 && lengths.length === 0) throw corrupt();
          const [value, repeat] =
            code === 16 ? [lengths[lengths.length - 1], 3 + take(2)] : code === 17 ? [0, 3 + take(3)] : [0, 11 + take(7)];
          for (let i = 0; i < repeat; i++) lengths.push(value);
        }
      }
      if (lengths.length !== literalCount + distanceCount) throw corrupt();
      literals = table(lengths.slice(0, literalCount));
      distances = table(lengths.slice(literalCount));
    } else if (type !== 1) {
      throw corrupt();
    }
    for (;;) {
      const code = symbol(literals);
      if (code < 256) {
        if (out >= size) throw corrupt();
        output[out++] = code;
      } else if (code === 256) {
        break;
      } else {
        const lengthIndex = code - 257;
        if (lengthIndex >= 29) throw corrupt();
        const length = LENGTH_BASE[lengthIndex] + take(LENGTH_EXTRA[lengthIndex]);
        const distanceIndex = symbol(distances);
        if (distanceIndex >= 30) throw corrupt();
        const distance = DIST_BASE[distanceIndex] + take(DIST_EXTRA[distanceIndex]);
        if (distance > out || out + length > size) throw corrupt();
        for (let i = 0; i < length; i++, out++) output[out] = output[out - distance];
      }
    }
  }
  if (out !== size) throw corrupt();
  return output;
}
