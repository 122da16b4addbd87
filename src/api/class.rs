//! What the exported classes (`OperatorPanel`, `ChatWidget`) share at their JS
//! surface: the constructor, `on`/`off` and `free`. wasm-bindgen exports no
//! trait or generic method, so each class needs its own `#[wasm_bindgen]`
//! copies of these; [`js_class!`] is their one definition.
//!
//! `free()` may come at any moment: in a listener, while a promise waits,
//! twice. The package's `free()` (the generated one, rewritten by
//! `scripts/finish-pkg.mjs`) calls `__twinFree`, which ends the object
//! (`$core::free`: every wait rejects with a `freed` TwinError, sockets and
//! timers stop, listeners are dropped) but leaves it allocated, so a listener
//! or a late callback meets an ended object, never freed memory; getters
//! still answer and methods refuse with `freed`. The memory goes when the JS
//! object is collected (`Drop`, which ends it first if nobody did).

/// Declares the constructor and `on`/`off` of exported class `$class`, a
/// struct with one field `core: Rc<$core>`.
///
/// The constructor reads the options object with `$options::from_js` (a
/// `TwinError` for bad options), then builds the core with
/// `$core::new(options, this)`, where `this` is the core's own weak
/// reference (its host and timers report through it). `$param` and `$ts`
/// type the options in the `.d.ts`. `on` adds a listener to the core's
/// `emitter` and returns the function that removes it; `off` removes one.
/// The docs given for `new` and `on` are theirs. `new`'s go into the
/// `.d.ts`, so they are `#[doc = "..."]` strings, not `///` comments: a doc
/// comment passed through `macro_rules!` arrives as a raw string (`r"..."`),
/// which wasm-bindgen copies into the `.d.ts` prefix and all. (`on` is typed
/// by hand in the package's types: its `///` docs stay on the Rust side.)
macro_rules! js_class {
    (
        $class:ident($core:ident, $options:ident);
        $(#[doc = $new_doc:tt])*
        new($param:ident = $ts:tt);
        $(#[doc = $on_doc:tt])*
        on;
    ) => {
        #[wasm_bindgen]
        impl $class {
            $(#[doc = $new_doc])*
            #[wasm_bindgen(constructor)]
            pub fn new(
                #[wasm_bindgen($param = $ts)] options: JsValue,
            ) -> Result<$class, JsValue> {
                let options = $options::from_js(options)?;
                let core = Rc::new_cyclic(|this: &Weak<$core>| $core::new(options, this));
                Ok($class { core })
            }

            $(#[doc = $on_doc])*
            #[wasm_bindgen(skip_typescript)]
            pub fn on(&self, name: JsValue, listener: JsValue) -> Result<JsValue, JsValue> {
                self.core.emitter.on(&name, &listener)
            }

            /// Removes a listener added with `on`.
            #[wasm_bindgen(skip_typescript)]
            pub fn off(&self, name: JsValue, listener: JsValue) {
                self.core.emitter.off(&name, &listener);
            }

            /// What the package's `free()` calls: ends the object for good
            /// (see `free` in the module comment of `class.rs`).
            #[wasm_bindgen(js_name = __twinFree, skip_typescript)]
            pub fn twin_free(&self) {
                $core::free(&self.core);
            }
        }

        impl Drop for $class {
            /// The object is collected (or was never ended): end it now.
            fn drop(&mut self) {
                $core::free(&self.core);
            }
        }
    };
}

pub(crate) use js_class;
