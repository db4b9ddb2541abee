//! `#[xmlrpc_kit::methods]` and `#[xmlrpc_kit::method]`: XML-RPC methods written
//! as plain Rust, their names, signatures, parameter names and help taken
//! from the code; `#[xmlrpc_kit::client]`: a typed client from a trait.
//! Use them through the `xmlrpc-kit` crate (feature `macros`; the client
//! macro also needs `client`).
//!
//! ```
//! use std::sync::Arc;
//! use xmlrpc_kit::{Fault, Methods};
//!
//! struct Calculator;
//!
//! #[xmlrpc_kit::methods]
//! impl Calculator {
//!     /// Divides x by y, rounding down.
//!     pub fn div(&self, x: i64, y: i64) -> Result<i64, Fault> {
//!         if y == 0 { return Err(Fault::application("division by zero")); }
//!         Ok(x.div_euclid(y))
//!     }
//!
//!     /// Waits `ms` milliseconds, then answers them.
//!     pub async fn wait(self: Arc<Self>, ms: u64) -> u64 { ms }
//!
//!     #[xmlrpc(name = "math.mul")]
//!     /// Multiplies.
//!     pub fn mul(&self, x: i64, y: i64) -> i64 { x * y }
//!
//!     #[xmlrpc(skip)]
//!     pub fn not_exported(&self) {}
//! }
//!
//! let mut methods = Methods::new();
//! methods.register_instance(Calculator);
//! assert_eq!(methods.list_methods(), ["div", "math.mul", "wait"]);
//! assert_eq!(methods.method_help("div").unwrap(), "Divides x by y, rounding down.");
//! assert_eq!(methods.method_param_names("div").unwrap(), ["x", "y"]);
//! ```

mod client;

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::{quote, quote_spanned};
use syn::parse::Parser as _;
use syn::spanned::Spanned as _;
use syn::{
    Attribute, Error, Expr, ExprLit, FnArg, ImplItem, ImplItemFn, ItemFn, ItemImpl, Lit, Meta, Pat,
    Path, Result, Signature, Type, Visibility,
};

/// Makes a type an XML-RPC instance: each `pub fn` and `pub async fn` of
/// the `impl` block is exported under its name (`#[xmlrpc(name =
/// "math.div")]` gives another, dots allowed; `#[xmlrpc(skip)]` leaves one
/// out; `#[xmlrpc(child = "math")]` on a method returning an instance
/// exports that instance's methods under `math.`). Doc comments become the
/// help (`system.methodHelp` and the documentation page), the Rust types the
/// signature, the parameter names the page's `div(x: i8, y: i8)` and the
/// fault messages' `div: parameter y: …`. Receivers: `&self` and
/// `self: Arc<Self>`, sync or async; no receiver works too. Results: `T` or
/// `Result<T, E>` with `E: Into<Fault>`.
///
/// The type then implements `IntoInstance`: `methods.register_instance(value)`.
/// `#[xmlrpc_kit::methods(crate = path)]` names the crate the generated code
/// refers to (default `::xmlrpc_kit`; its hidden `__macro_support` module).
#[proc_macro_attribute]
pub fn methods(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_methods(attr.into(), item.into())
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// Makes a free function registrable with its help and parameter names:
/// beside `fn add`, a module `add` with `add::register(&mut methods)`
/// (registered as `add`, or `#[xmlrpc_kit::method(name = "math.add")]`).
///
/// The function must be a module's item (not one declared inside a
/// function's body), since the module refers to it as `super::add`.
///
/// ```
/// /// Adds two integers.
/// #[xmlrpc_kit::method]
/// pub fn add(x: i64, y: i64) -> i64 { x + y }
///
/// fn main() {
///     let mut methods = xmlrpc_kit::Methods::new();
///     add::register(&mut methods);
///     assert_eq!(methods.method_help("add").unwrap(), "Adds two integers.");
///     assert_eq!(methods.method_param_names("add").unwrap(), ["x", "y"]);
/// }
/// ```
#[proc_macro_attribute]
pub fn method(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_method(attr.into(), item.into())
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// Makes a typed client of a trait: each method of the trait is one
/// remote call, and the macro generates an async client and a blocking one
/// that make them.
///
/// ```no_run
/// use xmlrpc_kit::client::Error;
///
/// #[derive(Debug, serde::Deserialize)]
/// struct State {
///     statecode: i32,
///     statename: String,
/// }
///
/// #[xmlrpc_kit::client(namespace = "supervisor", rename_all = "camelCase")]
/// trait Supervisor {
///     /// The daemon's state.
///     fn get_state(&self) -> Result<State, Error>; // supervisor.getState
///
///     /// Starts a process; `wait` left off the call when `None`.
///     fn start_process(&self, name: &str, #[xmlrpc(optional)] wait: Option<bool>) -> Result<bool, Error>;
///
///     #[xmlrpc(name = "system.listMethods")] // an explicit name: as written
///     fn list_methods(&self) -> Result<Vec<String>, Error>;
/// }
///
/// # async fn run() -> Result<(), Error> {
/// // Async: `SupervisorClient`, each method an `async fn`.
/// let supervisor = SupervisorClient::new(xmlrpc_kit::Client::new("http://127.0.0.1:9001/RPC2")?);
/// let state = supervisor.get_state().await?;
/// supervisor.start_process("web", None).await?;
/// # Ok(()) }
/// # fn blocking() -> Result<(), Error> {
/// // Blocking: `SupervisorBlockingClient`, which also implements `Supervisor`.
/// let supervisor = SupervisorBlockingClient::new(xmlrpc_kit::blocking::Client::new("http://127.0.0.1:9001/RPC2")?);
/// match supervisor.start_process("web", Some(true)) {
///     Ok(started) => println!("{started}"),
///     Err(e) if e.fault().is_some_and(|f| f.code == 10) => println!("no such process"),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
///
/// **Names.** `#[xmlrpc(name = "…")]` on a method names its XML-RPC method,
/// exactly as written (dots and any characters allowed; the namespace is
/// not added). Without it the name is the Rust name, converted by the
/// trait's `rename_all` (`"camelCase"`, `"PascalCase"`, or the default
/// `"snake_case"`: as written), after the trait's `namespace` and a dot
/// (`namespace = "supervisor"`: `get_state` calls `supervisor.getState`).
///
/// **Methods.** Each takes `&self`, then its parameters as plain names,
/// and returns `Result<T, E>` where `E` is
/// [`xmlrpc_kit::client::Error`](https://docs.rs/xmlrpc-kit/latest/xmlrpc_kit/client/enum.Error.html)
/// or any type with `From<xmlrpc_kit::client::Error>` (your own error
/// that reads fault codes: a fault is `Error::Fault`, `error.fault()`).
/// No generics, no default bodies. Write them all `fn` or all `async fn`:
/// the generated methods are the same either way, and the client of that
/// kind also implements the trait (so code written against the trait can
/// take a fake in tests; for a `pub` trait of `async fn`s rustc warns,
/// as for any, that callers cannot require its futures to be `Send`: the
/// generated client's are, so allow `async_fn_in_trait` or use `fn`s).
///
/// **Types.** A parameter converts as `Client::call` converts it: by
/// `IntoValue` when its type implements it, otherwise (feature `serde`) by
/// serde, as `Client::call` converts a `Serde<T>`; a result likewise by
/// `FromValue`, else serde's `Deserialize` (a type that converts neither
/// way is a compile error at the type, naming the bounds it misses: `T:
/// IntoValue`, `Serde<&T>: IntoValue`). A result of `()` drops
/// whatever the server answers. An `Option` parameter's `None` is `<nil/>`,
/// which the client sends only when built with `.allow_none(true)` (else
/// the call fails with `Error::Encode` before anything is sent), unless the
/// parameter is marked `#[xmlrpc(optional)]`: optional parameters come
/// last, and trailing `None`s are left off the call (Python's default
/// arguments).
///
/// **Generated**, for `trait Supervisor`, with the trait's visibility:
/// `SupervisorClient` (wraps a `xmlrpc_kit::Client`; `new(client)`,
/// `client()`, one `async fn` per method) and, with the `blocking`
/// feature, `SupervisorBlockingClient` (wraps a
/// `xmlrpc_kit::blocking::Client`; one `fn` per method). Both are cheap to
/// clone. `#[xmlrpc_kit::client(crate = path)]` names the crate the
/// generated code refers to (default `::xmlrpc_kit`).
#[proc_macro_attribute]
pub fn client(attr: TokenStream, item: TokenStream) -> TokenStream {
    client::expand(attr.into(), item.into()).into()
}

/// What `#[xmlrpc(…)]` on a method says.
#[derive(Default)]
struct Options {
    name: Option<String>,
    skip: bool,
    child: Option<String>,
}

/// Reads and removes the `#[xmlrpc(…)]` attributes.
fn take_options(attrs: &mut Vec<Attribute>) -> Result<Options> {
    let mut options = Options::default();
    let mut kept = Vec::with_capacity(attrs.len());
    for attr in attrs.drain(..) {
        if !attr.path().is_ident("xmlrpc") {
            kept.push(attr);
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                options.skip = true;
                Ok(())
            } else if meta.path.is_ident("name") {
                options.name = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                Ok(())
            } else if meta.path.is_ident("child") {
                options.child = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                Ok(())
            } else {
                Err(meta.error("expected `name = \"…\"`, `skip` or `child = \"…\"`"))
            }
        })?;
    }
    *attrs = kept;
    Ok(options)
}

/// The doc comments, as help text: each line without its first space.
fn help(attrs: &[Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_owned())
        .collect();
    lines.join("\n").trim().to_owned()
}

/// The crate path from `crate = path`, or `::xmlrpc_kit`.
fn crate_path(attr: Tokens) -> Result<(Path, Option<String>)> {
    let mut krate: Path = syn::parse_quote!(::xmlrpc_kit);
    let mut name = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("crate") {
            krate = meta.value()?.parse()?;
            Ok(())
        } else if meta.path.is_ident("name") {
            name = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            Ok(())
        } else {
            Err(meta.error("expected `crate = path` or `name = \"…\"`"))
        }
    });
    parser.parse2(attr)?;
    Ok((krate, name))
}

/// How a method receives its object.
enum Receiver {
    /// `&self`.
    Ref,
    /// `self: Arc<Self>`.
    Arc,
    /// An associated function.
    None,
}

/// The receiver of `sig`, or an error for the ones handlers cannot use.
fn receiver(sig: &Signature) -> Result<Receiver> {
    let Some(FnArg::Receiver(r)) = sig.inputs.first() else {
        return Ok(Receiver::None);
    };
    if r.colon_token.is_some() {
        let is_arc = matches!(&*r.ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Arc"));
        return if is_arc {
            Ok(Receiver::Arc)
        } else {
            Err(Error::new(
                r.ty.span(),
                "an exported method takes `&self` or `self: Arc<Self>`",
            ))
        };
    }
    match (&r.reference, &r.mutability) {
        (Some(_), None) => Ok(Receiver::Ref),
        (Some(_), Some(m)) => Err(Error::new(
            m.span(),
            "an exported method cannot take `&mut self`: calls run concurrently; keep state behind a Mutex or atomics and take `&self`",
        )),
        (None, _) => Err(Error::new(
            r.span(),
            "an exported method cannot take `self` by value: take `&self` or `self: Arc<Self>`",
        )),
    }
}

/// The parameters of `sig` after its receiver: names and types, each
/// pattern an identifier.
fn parameters(sig: &Signature) -> Result<Vec<(syn::Ident, Type)>> {
    sig.inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(t) => Some(t),
            FnArg::Receiver(_) => None,
        })
        .map(|arg| match &*arg.pat {
            Pat::Ident(p) => Ok((p.ident.clone(), (*arg.ty).clone())),
            other => Err(Error::new(
                other.span(),
                "an exported method's parameters are plain names (`x: i64`)",
            )),
        })
        .collect()
}

fn check_concrete(sig: &Signature) -> Result<()> {
    if !sig.generics.params.is_empty() {
        return Err(Error::new(
            sig.generics.span(),
            "a generic method cannot be exported: XML-RPC needs concrete parameter and result types",
        ));
    }
    Ok(())
}

/// The registration of one method on `exports` (or `methods`).
fn registration(
    krate: &Path,
    target: &Tokens,
    name: &str,
    sig: &Signature,
    call: Tokens,
    help: &str,
) -> Result<Tokens> {
    let params = parameters(sig)?;
    let names: Vec<String> = params
        .iter()
        .map(|(n, _)| n.to_string().trim_start_matches("r#").to_owned())
        .collect();
    let args = params.iter().map(|(n, t)| quote!(#n: #t));
    // Each parameter type checked on its own, so a type that cannot
    // convert is reported where it is written.
    let checks = params.iter().map(|(_, ty)| {
        quote_spanned! {ty.span()=>
            {
                fn parameter_converts_from_an_xml_rpc_value<T: #krate::__macro_support::Param>() {}
                parameter_converts_from_an_xml_rpc_value::<#ty>();
            }
        }
    });
    let help = (!help.is_empty()).then(|| quote!(.help(#help)));
    let count = names.len();
    Ok(quote_spanned! {sig.ident.span()=>
        #(#checks)*
        #target
            .register_function(#name, move |#(#args),*| #call)
            #help
            .param_names::<[&str; #count], &str>([#(#names),*]);
    })
}

fn expand_methods(attr: Tokens, item: Tokens) -> Result<Tokens> {
    let (krate, _) = crate_path(attr)?;
    let mut block: ItemImpl = syn::parse2(item)?;
    if !block.generics.params.is_empty() {
        return Err(Error::new(
            block.generics.span(),
            "#[xmlrpc_kit::methods] cannot export a generic impl: XML-RPC needs concrete types",
        ));
    }
    if let Some((_, path, _)) = &block.trait_ {
        return Err(Error::new(
            path.span(),
            "#[xmlrpc_kit::methods] goes on an inherent impl (`impl Type { … }`), not a trait impl",
        ));
    }
    let self_ty = block.self_ty.clone();
    let mut registrations = Vec::new();
    let mut seen: Vec<(String, Span)> = Vec::new();
    for item in &mut block.items {
        let ImplItem::Fn(function) = item else {
            continue;
        };
        let options = take_options(&mut function.attrs)?;
        if options.skip || !matches!(function.vis, Visibility::Public(_)) {
            continue;
        }
        let ImplItemFn { sig, attrs, .. } = &*function;
        check_concrete(sig)?;
        let receiver = receiver(sig)?;
        let ident = &sig.ident;
        let span = ident.span();
        if let Some(prefix) = options.child {
            let child = match receiver {
                Receiver::Ref => quote_spanned!(span=> this.#ident()),
                Receiver::Arc => quote_spanned!(span=> ::std::sync::Arc::clone(&this).#ident()),
                Receiver::None => quote_spanned!(span=> <#self_ty>::#ident()),
            };
            registrations.push(quote_spanned! {span=> exports.export_child(#prefix, #child); });
            continue;
        }
        let name = options
            .name
            .unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_owned());
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
            let mut error = Error::new(span, format!("two methods are exported as `{name}`"));
            error.combine(Error::new(
                *first,
                format!("`{name}` is first exported here"),
            ));
            return Err(error);
        }
        seen.push((name.clone(), span));
        let args: Vec<_> = parameters(sig)?.into_iter().map(|(n, _)| n).collect();
        let is_async = sig.asyncness.is_some();
        let call = match (receiver, is_async) {
            (Receiver::Ref, false) => quote_spanned!(span=> this.#ident(#(#args),*)),
            (Receiver::Ref, true) => quote_spanned! {span=> {
                let this = ::std::sync::Arc::clone(&this);
                async move { this.#ident(#(#args),*).await }
            }},
            (Receiver::Arc, _) => {
                quote_spanned!(span=> ::std::sync::Arc::clone(&this).#ident(#(#args),*))
            }
            (Receiver::None, _) => quote_spanned!(span=> <#self_ty>::#ident(#(#args),*)),
        };
        let register = registration(&krate, &quote!(exports), &name, sig, call, &help(attrs))?;
        registrations.push(quote! {{
            let this = ::std::sync::Arc::clone(&this);
            #register
        }});
    }
    Ok(quote! {
        #block

        // Generated: lints are the user's code's business, not this glue's.
        #[allow(clippy::all, clippy::pedantic, clippy::nursery)]
        impl #krate::__macro_support::IntoInstance for #self_ty {
            fn into_instance(self) -> ::std::sync::Arc<dyn #krate::__macro_support::Instance> {
                #[allow(unused_variables)]
                let this = ::std::sync::Arc::new(self);
                let mut exports = #krate::__macro_support::Exports::new();
                #(#registrations)*
                ::std::sync::Arc::new(exports)
            }
        }
    })
}

fn expand_method(attr: Tokens, item: Tokens) -> Result<Tokens> {
    let (krate, name) = crate_path(attr)?;
    let function: ItemFn = syn::parse2(item)?;
    let sig = &function.sig;
    check_concrete(sig)?;
    if let Some(FnArg::Receiver(r)) = sig.inputs.first() {
        return Err(Error::new(
            r.span(),
            "#[xmlrpc_kit::method] goes on a free function; for methods, put #[xmlrpc_kit::methods] on the impl block",
        ));
    }
    let ident = &sig.ident;
    let vis = &function.vis;
    let name = name.unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_owned());
    let args: Vec<_> = parameters(sig)?.into_iter().map(|(n, _)| n).collect();
    let call = quote!(super::#ident(#(#args),*));
    let register = registration(
        &krate,
        &quote!(methods),
        &name,
        sig,
        call,
        &help(&function.attrs),
    )?;
    let module_doc = format!("The XML-RPC registration of [`{ident}`](fn@{ident}).");
    Ok(quote! {
        #function

        #[doc = #module_doc]
        #[allow(clippy::all, clippy::pedantic, clippy::nursery)]
        #vis mod #ident {
            /// Registers the function on `methods`, with its help and
            /// parameter names.
            pub fn register(methods: &mut #krate::__macro_support::Methods) {
                #register
            }
        }
    })
}
