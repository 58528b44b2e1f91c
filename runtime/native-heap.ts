import type { Logger } from './log.ts';

// glibc's malloc keeps what freed buffers leave inside its heap. Under load, request bodies
// (~100 KB, under the 128 KiB mmap threshold the launcher fixes) and socket reads interleave with
// longer-lived allocations; once they are freed the holes stay resident, since free() gives back
// only the top of the heap. After a sync and an async load the four workers' `[heap]` mappings
// held 105 MB, of which malloc_trim(0) gave back 83 MB (226 → 144 MB PSS). Node has no binding
// for it, so it is called through koffi's FFI, whose prebuilt binary comes from npm. Elsewhere
// than glibc (musl's allocator returns memory by itself, macOS) there is nothing to call.

/** Gives the free pages inside the C heap back to the system; false when there was none to give. */
export type TrimNativeHeap = () => boolean;

let loading: Promise<TrimNativeHeap | null> | undefined;

/** The trim of this process's C heap, or null where the C library has none (said once in the log). */
export function nativeHeapTrim(log: Logger): Promise<TrimNativeHeap | null> {
  loading ??= load(log);
  return loading;
}

async function load(log: Logger): Promise<TrimNativeHeap | null> {
  if (process.platform !== 'linux') return null;
  try {
    const { default: koffi } = await import('koffi');
    const mallocTrim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (pad: number) => number;
    return () => mallocTrim(0) === 1;
  } catch (err) {
    log.info({ err }, 'no malloc_trim in this C library: idle workers give back only their JavaScript heap');
    return null;
  }
}
