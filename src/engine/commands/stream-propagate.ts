// Several writes that must reach replicas and the AOF as one unit go out as MULTI ... EXEC (as Redis
// 7.0 wraps a command's also-propagated writes); a single one goes alone.
const MULTI = Buffer.from('MULTI');
const EXEC = Buffer.from('EXEC');

export function emitWrapped(argvs: Buffer[][], emit: (argv: Buffer[]) => void): void {
  if (argvs.length === 0) return;
  if (argvs.length === 1) return emit(argvs[0]);
  emit([MULTI]);
  for (const a of argvs) emit(a);
  emit([EXEC]);
}
