//! `#[xmlrpc_kit::client]`: a trait of remote methods to an async and a
//! blocking client.

use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::Parser as _;
use syn::spanned::Spanned as _;
use syn::{
    Attribute, Error, FnArg, GenericArgument, GenericParam, Ident, ItemTrait, LitStr, Pat, PatType,
    Path, PathArguments, Result, ReturnType, TraitItem, TraitItemFn, Type,
};

/// What `#[xmlrpc_kit::client(…)]` says.
struct TraitOptions {
    krate: Path,
    namespace: Option<String>,
    rename_all: Rename,
}

/// How a method's Rust name becomes its XML-RPC name when no name is given.
#[derive(Clone, Copy)]
enum Rename {
    /// As written.
    None,
    /// `get_all_process_info` → `getAllProcessInfo`.
    Camel,
    /// `get_state` → `GetState`.
    Pascal,
}

impl Rename {
    fn apply(self, name: &str) -> String {
        let mut out = String::with_capacity(name.len());
        let mut upper = matches!(self, Rename::Pascal);
        for c in name.chars() {
            match self {
                Rename::None => out.push(c),
                Rename::Camel | Rename::Pascal if c == '_' && !out.is_empty() => upper = true,
                Rename::Camel | Rename::Pascal if upper => {
                    out.extend(c.to_uppercase());
                    upper = false;
                }
                Rename::Camel | Rename::Pascal => out.push(c),
            }
        }
        out
    }
}

fn trait_options(attr: Tokens) -> Result<TraitOptions> {
    let mut options = TraitOptions {
        krate: syn::parse_quote!(::xmlrpc_kit),
        namespace: None,
        rename_all: Rename::None,
    };
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("crate") {
            options.krate = meta.value()?.parse()?;
        } else if meta.path.is_ident("namespace") {
            let lit: LitStr = meta.value()?.parse()?;
            let namespace = lit.value();
            if namespace.is_empty() || namespace.starts_with('.') || namespace.ends_with('.') {
                return Err(Error::new(
                    lit.span(),
                    "a namespace is a name such as \"supervisor\" or \"d\", without a leading or trailing dot (the dot is added)",
                ));
            }
            options.namespace = Some(namespace);
        } else if meta.path.is_ident("rename_all") {
            let lit: LitStr = meta.value()?.parse()?;
            options.rename_all = match lit.value().as_str() {
                "camelCase" => Rename::Camel,
                "PascalCase" => Rename::Pascal,
                "snake_case" | "none" => Rename::None,
                _ => {
                    return Err(Error::new(
                        lit.span(),
                        "expected \"camelCase\", \"PascalCase\" or \"snake_case\" (the name as written)",
                    ));
                }
            };
        } else {
            return Err(meta.error(
                "expected `namespace = \"…\"`, `rename_all = \"camelCase\"` or `crate = path`",
            ));
        }
        Ok(())
    });
    parser.parse2(attr)?;
    Ok(options)
}

/// Reads and removes the `#[xmlrpc(name = "…")]` of a method.
fn take_method_name(attrs: &mut Vec<Attribute>) -> Result<Option<String>> {
    let mut name = None;
    let mut error = None;
    attrs.retain(|attr| {
        if !attr.path().is_ident("xmlrpc") {
            return true;
        }
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                name = Some(meta.value()?.parse::<LitStr>()?.value());
                Ok(())
            } else {
                Err(meta.error("expected `name = \"…\"`: the XML-RPC method's name"))
            }
        });
        if let Err(e) = parsed {
            error.get_or_insert(e);
        }
        false
    });
    match error {
        Some(e) => Err(e),
        None => Ok(name),
    }
}

/// Reads and removes the `#[xmlrpc(optional)]` of a parameter.
fn take_optional(attrs: &mut Vec<Attribute>) -> Result<Option<Span>> {
    let mut optional = None;
    let mut error = None;
    attrs.retain(|attr| {
        if !attr.path().is_ident("xmlrpc") {
            return true;
        }
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("optional") {
                optional = Some(meta.path.span());
                Ok(())
            } else {
                Err(meta.error("expected `optional`: a trailing `Option` parameter left off the call when `None`"))
            }
        });
        if let Err(e) = parsed {
            error.get_or_insert(e);
        }
        false
    });
    match error {
        Some(e) => Err(e),
        None => Ok(optional),
    }
}

/// One parameter of a client method.
struct Param {
    ident: Ident,
    ty: Type,
    optional: bool,
}

/// One method of the trait, read and checked.
struct Method {
    name: String,
    sig: syn::Signature,
    docs: Vec<Attribute>,
    params: Vec<Param>,
    /// The `T` of `Result<T, E>`.
    ok: Type,
    is_async: bool,
}

fn read_method(function: &mut TraitItemFn, options: &TraitOptions) -> Result<Method> {
    let explicit = take_method_name(&mut function.attrs)?;
    let sig = &mut function.sig;
    let ident = sig.ident.clone();
    if let Some(body) = &function.default {
        return Err(Error::new(
            body.span(),
            "a client method has no body: the generated clients make the call",
        ));
    }
    if let Some(param) = sig
        .generics
        .params
        .iter()
        .find(|p| !matches!(p, GenericParam::Lifetime(_)))
    {
        return Err(Error::new(
            param.span(),
            "a client method cannot be generic: XML-RPC needs concrete parameter and result types",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        return Err(Error::new(
            variadic.span(),
            "a client method cannot be variadic",
        ));
    }
    match sig.inputs.first() {
        Some(FnArg::Receiver(r))
            if r.reference.is_some() && r.mutability.is_none() && r.colon_token.is_none() => {}
        Some(FnArg::Receiver(r)) => {
            return Err(Error::new_spanned(
                r,
                "a client method takes `&self`: the generated clients call through a shared `Client`",
            ));
        }
        _ => {
            return Err(Error::new(
                ident.span(),
                "a client method takes `&self` first: `fn get_state(&self) -> Result<State, Error>`",
            ));
        }
    }
    if ident == "new" || ident == "client" {
        return Err(Error::new(
            ident.span(),
            format!(
                "`{ident}` is taken by the generated clients; name the method otherwise, and the XML-RPC method with `#[xmlrpc(name = \"{ident}\")]`"
            ),
        ));
    }
    let mut params = Vec::new();
    let mut first_optional: Option<Span> = None;
    for arg in sig.inputs.iter_mut().skip(1) {
        let FnArg::Typed(PatType { attrs, pat, ty, .. }) = arg else {
            unreachable!("only the first argument is a receiver")
        };
        let optional = take_optional(attrs)?;
        let ident = match &**pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
            other => {
                return Err(Error::new(
                    other.span(),
                    "a client method's parameters are plain names (`name: String`)",
                ));
            }
        };
        if let Type::ImplTrait(t) = &**ty {
            return Err(Error::new(
                t.span(),
                "a client method's parameter needs a concrete type, not `impl Trait`",
            ));
        }
        match (optional, first_optional) {
            (Some(span), None) => first_optional = Some(span),
            (None, Some(span)) => {
                let mut error = Error::new(
                    ident.span(),
                    "a required parameter cannot follow an optional one: only trailing parameters can be left off a call",
                );
                error.combine(Error::new(span, "the first optional parameter"));
                return Err(error);
            }
            _ => {}
        }
        params.push(Param {
            ident,
            ty: (**ty).clone(),
            optional: optional.is_some(),
        });
    }
    let ok = result_ok_type(sig)?;
    let name = explicit.unwrap_or_else(|| {
        let rust = ident.to_string();
        let rust = rust.trim_start_matches("r#");
        let renamed = options.rename_all.apply(rust);
        match &options.namespace {
            Some(namespace) => format!("{namespace}.{renamed}"),
            None => renamed,
        }
    });
    Ok(Method {
        name,
        docs: function
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect(),
        is_async: sig.asyncness.is_some(),
        sig: sig.clone(),
        params,
        ok,
    })
}

/// The `T` of a method's `Result<T, E>` (or of an alias `Result<T>`).
fn result_ok_type(sig: &syn::Signature) -> Result<Type> {
    const WANTED: &str = "a client method returns `Result<T, xmlrpc_kit::client::Error>` (or `Result<T, E>` with `E: From<xmlrpc_kit::client::Error>`): a call can always fail";
    let ty = match &sig.output {
        ReturnType::Default => return Err(Error::new(sig.paren_token.span.join(), WANTED)),
        ReturnType::Type(_, ty) => ty,
    };
    let Type::Path(path) = &**ty else {
        return Err(Error::new(ty.span(), WANTED));
    };
    let Some(last) = path.path.segments.last() else {
        return Err(Error::new(ty.span(), WANTED));
    };
    if last.ident != "Result" {
        return Err(Error::new(ty.span(), WANTED));
    }
    match &last.arguments {
        PathArguments::AngleBracketed(args) => match args.args.first() {
            Some(GenericArgument::Type(ok)) => Ok(ok.clone()),
            _ => Err(Error::new(ty.span(), WANTED)),
        },
        _ => Err(Error::new(ty.span(), WANTED)),
    }
}

/// The body of a generated method: the call, then the conversions.
/// `call` is the call's expression giving `Result<Value, client::Error>`,
/// with `params` in scope.
fn body(krate: &Path, method: &Method, call: Tokens) -> Tokens {
    let support = quote!(#krate::__client_support);
    let required = method.params.iter().filter(|p| !p.optional).map(|p| {
        let (ident, ty) = (&p.ident, &p.ty);
        quote_spanned!(ty.span()=> #support::Param(#ident).into_param())
    });
    let optional: Vec<_> = method
        .params
        .iter()
        .filter(|p| p.optional)
        .map(|p| {
            let (ident, ty) = (&p.ident, &p.ty);
            quote_spanned! {ty.span()=>
                ::core::option::Option::map(#ident, |value| #support::Param(value).into_param())
            }
        })
        .collect();
    let params = if optional.is_empty() {
        quote!(::std::vec![#(#required),*])
    } else {
        quote!(#support::with_optional(::std::vec![#(#required),*], [#(#optional),*]))
    };
    let ok = &method.ok;
    let convert = quote_spanned! {ok.span()=>
        #support::ResultOf::<#ok>::new().convert_result(value)
    };
    quote! {
        #[allow(unused_imports)]
        use #support::{
            ParamByIntoValue as _, ParamBySerde as _, ResultByFromValue as _, ResultBySerde as _,
            ResultIgnored as _,
        };
        let params: ::std::vec::Vec<#krate::Value> = #params;
        let result = #call.and_then(|value| #convert);
        match result {
            ::core::result::Result::Ok(value) => ::core::result::Result::Ok(value),
            ::core::result::Result::Err(error) => {
                ::core::result::Result::Err(::core::convert::From::from(error))
            }
        }
    }
}

/// The signature a generated method has: the trait's, `async` or not.
fn signature(method: &Method, asyncness: bool) -> Tokens {
    let mut sig = method.sig.clone();
    sig.asyncness = asyncness.then(Default::default);
    quote!(#sig)
}

/// The clients of the trait `item`; on a misuse, the errors beside the
/// trait as written (its `#[xmlrpc]` attributes removed), so that code using
/// the trait is not also reported.
pub(crate) fn expand(attr: Tokens, item: Tokens) -> Tokens {
    match expand_clients(attr, item.clone()) {
        Ok(tokens) => tokens,
        Err(error) => {
            let error = error.into_compile_error();
            let Ok(mut item) = syn::parse2::<ItemTrait>(item) else {
                return error;
            };
            for entry in &mut item.items {
                if let TraitItem::Fn(function) = entry {
                    function.attrs.retain(|a| !a.path().is_ident("xmlrpc"));
                    for arg in &mut function.sig.inputs {
                        if let FnArg::Typed(arg) = arg {
                            arg.attrs.retain(|a| !a.path().is_ident("xmlrpc"));
                        }
                    }
                }
            }
            quote! {
                #error
                #[allow(dead_code)]
                #item
            }
        }
    }
}

fn expand_clients(attr: Tokens, item: Tokens) -> Result<Tokens> {
    let options = trait_options(attr)?;
    let krate = &options.krate;
    let mut item: ItemTrait = syn::parse2(item)?;
    if !item.generics.params.is_empty() {
        return Err(Error::new(
            item.generics.span(),
            "#[xmlrpc_kit::client] cannot make a client of a generic trait: XML-RPC needs concrete types",
        ));
    }
    let mut methods = Vec::new();
    let mut seen: Vec<(String, Span)> = Vec::new();
    for entry in &mut item.items {
        let TraitItem::Fn(function) = entry else {
            return Err(Error::new(
                entry.span(),
                "a client trait holds only methods, each one remote call",
            ));
        };
        let method = read_method(function, &options)?;
        let span = method.sig.ident.span();
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == method.name) {
            let mut error = Error::new(span, format!("two methods call `{}`", method.name));
            error.combine(Error::new(
                *first,
                format!("`{}` is first called here", method.name),
            ));
            return Err(error);
        }
        seen.push((method.name.clone(), span));
        methods.push(method);
    }
    // The trait is implemented by the client of its kind: all `async fn`s
    // by the async client, all `fn`s by the blocking one.
    let all_async = methods.first().is_some_and(|m| m.is_async);
    if let Some(odd) = methods.iter().find(|m| m.is_async != all_async) {
        let mut error = Error::new(
            odd.sig.fn_token.span(),
            "a client trait's methods are all `async fn` (the async client implements it) or all `fn` (the blocking client does)",
        );
        error.combine(Error::new(
            methods[0].sig.fn_token.span(),
            "the first method, which the others must match",
        ));
        return Err(error);
    }

    let vis = &item.vis;
    let trait_ident = &item.ident;
    let async_ident = format_ident!("{}Client", trait_ident);
    let blocking_ident = format_ident!("{}BlockingClient", trait_ident);

    let mut async_methods = Vec::new();
    let mut blocking_methods = Vec::new();
    let mut trait_methods = Vec::new();
    for method in &methods {
        let docs = &method.docs;
        let name = &method.name;
        let called = format!("Calls `{name}`.");
        let args: Vec<_> = method.params.iter().map(|p| &p.ident).collect();
        let ident = &method.sig.ident;
        let async_sig = signature(method, true);
        let async_body = body(
            krate,
            method,
            quote!(self.client.call_value(#name, params).await),
        );
        async_methods.push(quote! {
            #(#docs)*
            ///
            #[doc = #called]
            #vis #async_sig { #async_body }
        });
        let blocking_sig = signature(method, false);
        let blocking_body = body(krate, method, quote!(self.client.call_value(#name, params)));
        blocking_methods.push(quote! {
            #(#docs)*
            ///
            #[doc = #called]
            #vis #blocking_sig { #blocking_body }
        });
        let sig = &method.sig;
        let call = if all_async {
            quote!(#async_ident::#ident(self, #(#args),*).await)
        } else {
            quote!(#blocking_ident::#ident(self, #(#args),*))
        };
        trait_methods.push(quote! { #sig { #call } });
    }

    let async_doc = format!(
        "The async client of [`{trait_ident}`]: each method calls the XML-RPC method it names through a [`Client`]({}::Client).",
        krate_doc_path(krate)
    );
    let blocking_doc = format!(
        "The blocking client of [`{trait_ident}`]: each method calls the XML-RPC method it names through a [`blocking::Client`]({}::blocking::Client).",
        krate_doc_path(krate)
    );
    let async_impl = all_async.then(|| {
        quote! {
            #[allow(clippy::all, clippy::pedantic, clippy::nursery)]
            impl #trait_ident for #async_ident {
                #(#trait_methods)*
            }
        }
    });
    let blocking_impl = (!all_async).then(|| {
        quote! {
            #[allow(clippy::all, clippy::pedantic, clippy::nursery)]
            impl #trait_ident for #blocking_ident {
                #(#trait_methods)*
            }
        }
    });

    Ok(quote! {
        // Declared for the macro: whether its methods are called through
        // the trait or through the clients is the user's choice, and which
        // of the generated items a program uses too.
        #[allow(dead_code)]
        #item

        #[doc = #async_doc]
        #[derive(Debug, Clone)]
        #[allow(dead_code)]
        #vis struct #async_ident {
            client: #krate::Client,
        }

        #[allow(dead_code, clippy::all, clippy::pedantic, clippy::nursery)]
        impl #async_ident {
            /// Calls through `client`.
            #vis fn new(client: #krate::Client) -> Self {
                Self { client }
            }

            /// The client underneath.
            #vis fn client(&self) -> &#krate::Client {
                &self.client
            }

            #(#async_methods)*
        }

        #async_impl

        #krate::__client_support::if_blocking! {
            #[doc = #blocking_doc]
            #[derive(Debug, Clone)]
            #[allow(dead_code)]
            #vis struct #blocking_ident {
                client: #krate::blocking::Client,
            }

            #[allow(dead_code, clippy::all, clippy::pedantic, clippy::nursery)]
            impl #blocking_ident {
                /// Calls through `client`.
                #vis fn new(client: #krate::blocking::Client) -> Self {
                    Self { client }
                }

                /// The client underneath.
                #vis fn client(&self) -> &#krate::blocking::Client {
                    &self.client
                }

                #(#blocking_methods)*
            }

            #blocking_impl
        }
    })
}

/// The crate's path as an intra-doc link writes it.
fn krate_doc_path(krate: &Path) -> String {
    quote!(#krate)
        .to_string()
        .replace(' ', "")
        .trim_start_matches("::")
        .to_owned()
}
