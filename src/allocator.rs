//! The process's memory allocator: mimalloc, for libtorch's allocations as well as Rust's
//! (crate `mimalloc`, feature `override`).
//!
//! With glibc's allocator, whose arenas the server capped at two to bound fragmentation, the two
//! inference workers sometimes shared one arena and waited on its lock inside their passes
//! (`free`, `posix_memalign` under libtorch's tensors, Rust's `Vec`s): 64 clients read either
//! about 2,800 or about 3,500 requests/s with the default model, depending on the process.
//! mimalloc gives each thread its own heap and frees across threads without a shared lock
//! (BENCHMARKS.md).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    fn mi_collect(force: bool);
}

/// `mi_option_arena_eager_commit` in mimalloc 3's `mi_option_e` (include/mimalloc.h).
const ARENA_EAGER_COMMIT: std::ffi::c_int = 4;

/// Called first in `main`. Arenas committed on demand, not eagerly: resident memory of the
/// default model's server, idle, 402–409 → 348–352 MB, and after 6 s of 64 clients 416–422 →
/// 384–387 MB, at the same requests/s (glibc's allocator: 297 and 377 MB).
pub fn configure() {
    // SAFETY: setting an option only changes how mimalloc reserves memory from now on.
    unsafe { mi_option_set(ARENA_EAGER_COMMIT, 0) }
}

/// Hands this thread's free memory, and that of threads that have ended, back to the kernel
/// at once, not after mimalloc's purge delay: for a worker that has gone idle, or whose model
/// was replaced and whose thread ends next.
pub fn release_free_memory() {
    // SAFETY: a forced collection only returns free pages to the kernel.
    unsafe { mi_collect(true) }
}
