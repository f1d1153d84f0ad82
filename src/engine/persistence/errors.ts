// The error every persistence decoder throws on malformed input: loaders turn it into Redis's
// "bad file" messages and a non-zero exit, RESTORE into "payload version or checksum are wrong".
export class RdbError extends Error {
  override name = 'RdbError';
}

/** Input ended inside an item: corrupt for a whole file, "wait for more bytes" for a resumable load. */
export class RdbEofError extends RdbError {
  override name = 'RdbEofError';
}
