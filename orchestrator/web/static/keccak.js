// Keccak-256 as Ethereum computes it (Keccak's own padding 0x01, not NIST SHA3-256's 0x06), for the voting panel
// on a sealed proposal (vote.js): the member's salt and commitment are computed here, in the member's browser, so
// that neither the vote nor its salt reaches any server before the reveal start. 64-bit lanes as BigInt: plain
// and checkable against the specification, and fast enough for the few hundred bytes hashed per vote.
// Checked against eth-utils' keccak in tests/integration/test_voting_page_sealed.py.
"use strict";

(() => {
  const MASK = (1n << 64n) - 1n;
  const ROUNDS = [
    0x0000000000000001n, 0x0000000000008082n, 0x800000000000808An, 0x8000000080008000n, 0x000000000000808Bn,
    0x0000000080000001n, 0x8000000080008081n, 0x8000000000008009n, 0x000000000000008An, 0x0000000000000088n,
    0x0000000080008009n, 0x000000008000000An, 0x000000008000808Bn, 0x800000000000008Bn, 0x8000000000008089n,
    0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n, 0x000000000000800An, 0x800000008000000An,
    0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
  ];
  // ROTATIONS[x][y]: the rotation of lane (x, y) in the rho step.
  const ROTATIONS = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56],
                     [27, 20, 39, 8, 14]];
  const RATE = 136; // bytes: 1600 bits of state less twice the 256-bit output

  const rotl = (lane, n) => (n === 0 ? lane : ((lane << BigInt(n)) | (lane >> BigInt(64 - n))) & MASK);

  // Keccak-f[1600] on the state's 25 lanes, lane (x, y) at x + 5y.
  function permute(a) {
    const b = new Array(25);
    for (let round = 0; round < 24; round += 1) {
      const c = [0, 1, 2, 3, 4].map((x) => a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20]);
      for (let x = 0; x < 5; x += 1) {
        const d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
        for (let y = 0; y < 25; y += 5) a[x + y] ^= d;
      }
      for (let x = 0; x < 5; x += 1) {
        for (let y = 0; y < 5; y += 1) b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], ROTATIONS[x][y]);
      }
      for (let x = 0; x < 5; x += 1) {
        for (let y = 0; y < 25; y += 5) a[x + y] = b[x + y] ^ (~b[((x + 1) % 5) + y] & MASK & b[((x + 2) % 5) + y]);
      }
      a[0] ^= ROUNDS[round];
    }
  }

  // keccak256(bytes: Uint8Array) → Uint8Array(32)
  function keccak256(bytes) {
    const padded = new Uint8Array(Math.floor(bytes.length / RATE + 1) * RATE);
    padded.set(bytes);
    padded[bytes.length] ^= 0x01;
    padded[padded.length - 1] ^= 0x80;
    const state = new Array(25).fill(0n);
    for (let offset = 0; offset < padded.length; offset += RATE) {
      for (let i = 0; i < RATE / 8; i += 1) {
        let lane = 0n;
        for (let k = 7; k >= 0; k -= 1) lane = (lane << 8n) | BigInt(padded[offset + 8 * i + k]);
        state[i] ^= lane;
      }
      permute(state);
    }
    const out = new Uint8Array(32);
    for (let i = 0; i < 4; i += 1) {
      let lane = state[i];
      for (let k = 0; k < 8; k += 1) { out[8 * i + k] = Number(lane & 0xffn); lane >>= 8n; }
    }
    return out;
  }

  window.keccak256 = keccak256;
})();
