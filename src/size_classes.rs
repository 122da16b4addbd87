//! The wasm's allocator: blocks in power-of-two size classes, each class a
//! free list, fresh blocks carved from 64 KiB pages. Allocation and release
//! are a handful of instructions; a block never changes class and freed
//! blocks are reused by their class, so memory grows to the peak of what is
//! live at once per class and then stays flat. The price is up to half a
//! block per allocation and a partly carved page per class in use; both are
//! small beside the whole allocator this replaces (a general-purpose one costs
//! several KB of wasm in every entry).
//!
//! The bookkeeping ([`Classes`]) is pure and tested natively over a plain
//! buffer; only [`Allocator`] (wasm32) asks the wasm memory for pages.

/// Size of a page of wasm memory, and of the region a class carves blocks from.
pub const PAGE: usize = 1 << 16;
/// The smallest block: room for the free list's link.
const MIN_CLASS: u32 = 4;
/// Classes of 2^4 to 2^31 bytes.
const CLASSES: usize = 32;

/// The class of a request: the log2 of its block size, a power of two at
/// least `size`, `align` and 16. `None` when no class is that large.
pub fn class_of(size: usize, align: usize) -> Option<u32> {
    let need = size.max(align).max(1 << MIN_CLASS);
    let block = need.checked_next_power_of_two()?;
    let class = block.trailing_zeros();
    (class < CLASSES as u32).then_some(class)
}

/// Where each class takes its next block: its free list of released blocks,
/// else the rest of the page it carves from.
pub struct Classes {
    free: [usize; CLASSES],
    carve: [(usize, usize); CLASSES],
}

impl Classes {
    /// No block yet.
    pub const fn new() -> Self {
        Classes {
            free: [0; CLASSES],
            carve: [(0, 0); CLASSES],
        }
    }

    /// The address of a block of `class`. `read(at)` reads the link stored in
    /// a released block; `pages(n)` gives `n` fresh pages (64 KiB-aligned) and
    /// returns their start, or `None` when memory cannot grow. 0 on failure.
    ///
    /// # Safety
    /// `read` must read the word at an address this allocator handed out and
    /// got back; every address `pages` returns must be usable for the sizes
    /// asked and never handed out by anything else.
    pub unsafe fn take(
        &mut self,
        class: u32,
        read: impl Fn(usize) -> usize,
        pages: impl FnOnce(usize) -> Option<usize>,
    ) -> usize {
        let Some(slot) = self.free.get_mut(class as usize) else {
            return 0;
        };
        if *slot != 0 {
            let block = *slot;
            *slot = read(block);
            return block;
        }
        let size = 1usize << class;
        let Some(carve) = self.carve.get_mut(class as usize) else {
            return 0;
        };
        if carve.0 + size > carve.1 || carve.0 == 0 {
            // A block of a page or more takes whole pages of its own; smaller
            // ones are carved, aligned to their size, from a page of the class.
            let count = size.div_ceil(PAGE);
            let Some(start) = pages(count) else {
                return 0;
            };
            *carve = (start, start + count * PAGE);
        }
        let block = carve.0;
        carve.0 += size;
        block
    }

    /// Takes back `block` of `class`; `write(at, link)` stores the free list's
    /// link in the block.
    ///
    /// # Safety
    /// `block` must be a block of `class` this allocator handed out and not
    /// taken back since.
    pub unsafe fn give(&mut self, class: u32, block: usize, write: impl FnOnce(usize, usize)) {
        if let Some(slot) = self.free.get_mut(class as usize) {
            write(block, *slot);
            *slot = block;
        }
    }
}

impl Default for Classes {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(target_arch = "wasm32")]
pub use wasm::Allocator;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::{class_of, Classes, PAGE};
    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::UnsafeCell;

    /// The global allocator of the (single-threaded) wasm module.
    pub struct Allocator(UnsafeCell<Classes>);

    // SAFETY: the wasm module runs on one thread; nothing shares it.
    unsafe impl Sync for Allocator {}

    impl Allocator {
        /// An allocator with no memory of its own yet.
        pub const fn new() -> Self {
            Allocator(UnsafeCell::new(Classes::new()))
        }
    }

    impl Default for Allocator {
        fn default() -> Self {
            Self::new()
        }
    }

    fn grow(pages: usize) -> Option<usize> {
        let previous = core::arch::wasm32::memory_grow(0, pages);
        (previous != usize::MAX).then(|| previous * PAGE)
    }

    unsafe impl GlobalAlloc for Allocator {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // Blocks of a page or more are only page-aligned.
            let Some(class) =
                class_of(layout.size(), layout.align()).filter(|_| layout.align() <= PAGE)
            else {
                return core::ptr::null_mut();
            };
            // SAFETY: single-threaded, and no allocation happens inside `take`.
            let classes = unsafe { &mut *self.0.get() };
            // SAFETY: released blocks hold their link in their first word.
            let at = unsafe { classes.take(class, |block| *(block as *const usize), grow) };
            at as *mut u8
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            let Some(class) = class_of(layout.size(), layout.align()) else {
                return;
            };
            // SAFETY: single-threaded; `ptr` is a live block of this class.
            let classes = unsafe { &mut *self.0.get() };
            unsafe {
                classes.give(class, ptr as usize, |block, link| {
                    *(block as *mut usize) = link;
                })
            };
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // A block already big enough stays where it is.
            if class_of(new_size, layout.align()) == class_of(layout.size(), layout.align()) {
                return ptr;
            }
            let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                return core::ptr::null_mut();
            };
            // SAFETY: as `GlobalAlloc::realloc` requires of its caller.
            unsafe {
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Memory for the tests: pages handed out from a Vec, as `memory.grow` would.
    struct Memory {
        words: RefCell<std::collections::HashMap<usize, usize>>,
        next_page: RefCell<usize>,
        pages_given: RefCell<usize>,
    }

    impl Memory {
        fn new() -> Self {
            Memory {
                words: RefCell::default(),
                next_page: RefCell::new(16),
                pages_given: RefCell::new(0),
            }
        }
        fn take(&self, classes: &mut Classes, class: u32) -> usize {
            unsafe {
                classes.take(
                    class,
                    |at| *self.words.borrow().get(&at).unwrap(),
                    |n| {
                        let start = *self.next_page.borrow() * PAGE;
                        *self.next_page.borrow_mut() += n;
                        *self.pages_given.borrow_mut() += n;
                        Some(start)
                    },
                )
            }
        }
        fn give(&self, classes: &mut Classes, class: u32, block: usize) {
            unsafe {
                classes.give(class, block, |at, link| {
                    self.words.borrow_mut().insert(at, link);
                })
            }
        }
    }

    #[test]
    fn classes_are_powers_of_two_of_at_least_the_size_the_align_and_16() {
        assert_eq!(class_of(0, 1), Some(4));
        assert_eq!(class_of(16, 8), Some(4));
        assert_eq!(class_of(17, 8), Some(5));
        assert_eq!(class_of(3, 64), Some(6));
        assert_eq!(class_of(PAGE, 8), Some(16));
        assert_eq!(class_of(PAGE + 1, 8), Some(17));
        assert_eq!(class_of(usize::MAX, 8), None);
    }

    #[test]
    fn blocks_are_aligned_to_their_size_disjoint_and_reused_last_in_first_out() {
        let memory = Memory::new();
        let mut classes = Classes::new();
        let mut seen = Vec::new();
        for class in [4, 5, 9, 16, 4, 17, 5, 4] {
            let block = memory.take(&mut classes, class);
            let size = 1usize << class;
            assert_eq!(block % size.min(PAGE), 0, "class {class} block {block:#x}");
            for &(other, other_size) in &seen {
                assert!(
                    block + size <= other || other + other_size <= block,
                    "overlap"
                );
            }
            seen.push((block, size));
        }
        let (a, b) = (seen[0].0, seen[4].0);
        memory.give(&mut classes, 4, a);
        memory.give(&mut classes, 4, b);
        assert_eq!(memory.take(&mut classes, 4), b);
        assert_eq!(memory.take(&mut classes, 4), a);
    }

    #[test]
    fn memory_stays_at_the_peak_of_what_is_live_per_class() {
        let memory = Memory::new();
        let mut classes = Classes::new();
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        let mut live: Vec<(u32, usize)> = (0..400)
            .map(|i| {
                let class = 4 + (i % 13) as u32;
                (class, memory.take(&mut classes, class))
            })
            .collect();
        let after_fill = *memory.pages_given.borrow();
        // A million releases and allocations, never more live in a class than
        // at the peak: not one page more.
        for _ in 0..1_000_000 {
            let at = next() as usize % live.len();
            let (class, block) = live[at];
            memory.give(&mut classes, class, block);
            live[at] = (class, memory.take(&mut classes, class));
        }
        assert_eq!(*memory.pages_given.borrow(), after_fill);
        let mut blocks: Vec<(usize, usize)> = live.iter().map(|&(c, b)| (b, 1 << c)).collect();
        blocks.sort_unstable();
        for pair in blocks.windows(2) {
            assert!(pair[0].0 + pair[0].1 <= pair[1].0, "live blocks overlap");
        }
    }

    #[test]
    fn a_page_that_cannot_grow_is_a_failed_allocation() {
        let mut classes = Classes::new();
        let block = unsafe { classes.take(4, |_| 0, |_| None) };
        assert_eq!(block, 0);
    }
}
