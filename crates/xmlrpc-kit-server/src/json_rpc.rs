//! JSON-RPC 2.0 answered from the same method table (the `json-rpc`
//! feature): each call of a request or a batch runs as an XML-RPC call
//! does (the same handlers, middleware, limits and request context), its
//! parameters by position or by the handler's parameter names.

use xmlrpc_kit_codec::json_rpc::{
    self, Answer, Call, ErrorObject, Incoming, Params, codes, encode_answers, encode_error,
};
use xmlrpc_kit_codec::untrusted_text::Escaped;
use xmlrpc_kit_codec::{Fault, Value};

use crate::context::RequestContext;
use crate::dispatcher::{Dispatcher, MulticallSummary, Reply};
use crate::long_work;
use crate::protocol::Protocol;

/// How the access log names a batch's request (its calls are listed as a
/// multicall's are).
pub(crate) const BATCH: &str = "(batch)";

/// Answers a JSON-RPC request body: one response object, a batch's array,
/// or, for notifications only, an empty body.
pub(crate) async fn answer<B>(dispatcher: &Dispatcher, body: B, request: &RequestContext) -> Reply
where
    B: AsRef<[u8]> + Send,
{
    let options = dispatcher.options();
    let long = body.as_ref().len() >= options.off_runtime_above;
    let decode =
        || json_rpc::decode_request(body.as_ref(), &options.limits, options.max_multicall_calls);
    let decoded = dispatcher.long_work().run_if(long, decode).await;
    let request_bytes = body.as_ref().len();
    drop(body);
    let (batch, calls) = match decoded {
        Err(error) => return error_reply(None, &error),
        Ok(Incoming::Single(Err(error))) => return error_reply(None, &error),
        Ok(Incoming::Single(Ok(call))) => (false, vec![Ok(call)]),
        Ok(Incoming::Batch(calls)) => (true, calls),
    };
    let method = if batch {
        Some(BATCH.to_owned())
    } else {
        calls
            .first()
            .and_then(|c| c.as_ref().ok())
            .map(|c| c.method.clone())
    };
    let names: Vec<String> = calls
        .iter()
        .take(MulticallSummary::SHOWN)
        .map(|c| c.as_ref().map_or(String::new(), |c| c.method.clone()))
        .collect();
    let mut answers = Vec::with_capacity(calls.len());
    let mut results = Vec::with_capacity(calls.len());
    for call in calls {
        match call {
            Err(error) => {
                results.push(Err(error.to_fault()));
                answers.push(Answer::from(error));
            }
            Ok(Call { id, method, params }) => {
                let result = run(dispatcher, &method, params, request).await;
                results.push(result.as_ref().map(|_| Value::Nil).map_err(Clone::clone));
                if id.is_some() {
                    answers.push(Answer::of(id, result));
                }
            }
        }
    }
    let fault_code = (!batch)
        .then(|| {
            results
                .first()
                .and_then(|r| r.as_ref().err())
                .map(|f| f.code)
        })
        .flatten();
    let summary = batch.then(|| MulticallSummary::of(names.iter().map(String::as_str), &results));
    let most = options.answer_limit(request_bytes);
    let threshold = options.off_runtime_above;
    let long = request_bytes >= threshold
        || long_work::writes_at_least(
            answers.iter().filter_map(|a| a.result.as_ref().ok()),
            threshold,
        );
    let single_id = if batch {
        None
    } else {
        answers.first().and_then(|a| a.id.clone())
    };
    let encode = move || {
        let body = encode_answers(&answers, batch, most);
        drop(answers);
        body
    };
    let body = match dispatcher.long_work().run_if(long, encode).await {
        Ok(body) => body,
        Err(most) => {
            let error = ErrorObject::new(
                codes::INTERNAL_ERROR,
                format!("the answer is larger than the limit of {most} bytes"),
            );
            return error_reply(method, &error.with_id(single_id));
        }
    };
    Reply {
        body,
        method,
        fault_code,
        multicall: summary,
        protocol: Protocol::JsonRpc,
    }
}

/// The reply that is `error` alone.
pub(crate) fn error_reply(method: Option<String>, error: &ErrorObject) -> Reply {
    Reply {
        body: encode_error(error),
        method,
        fault_code: Some(error.code),
        multicall: None,
        protocol: Protocol::JsonRpc,
    }
}

/// Runs `method` with `params`, named ones put in the order of the
/// handler's parameter names.
async fn run(
    dispatcher: &Dispatcher,
    method: &str,
    params: Params,
    request: &RequestContext,
) -> Result<Value, Fault> {
    let params = match params {
        Params::None => Vec::new(),
        Params::Positional(values) => values,
        Params::Named(members) => match dispatcher.methods().method_param_names(method) {
            // No such method: answered as one.
            None => Vec::new(),
            Some(names) => by_name(method, &names, members)?,
        },
    };
    dispatcher.call_in(method, params, request).await
}

/// `members` in the order of `names`, the parameters of `method`: each
/// name given, up to the last one given (a handler's trailing optional
/// parameters may be left out).
fn by_name(
    method: &str,
    names: &[String],
    mut members: xmlrpc_kit_codec::Struct,
) -> Result<Vec<Value>, Fault> {
    if names.is_empty() && !members.is_empty() {
        return Err(Fault::new(
            codes::INVALID_PARAMS,
            format!(
                "\"{}\" takes its parameters by position: their names are not known",
                Escaped::new(method)
            ),
        ));
    }
    if let Some(unknown) = members.keys().find(|k| !names.iter().any(|n| n == k)) {
        return Err(Fault::new(
            codes::INVALID_PARAMS,
            format!(
                "\"{}\" has no parameter named \"{}\" (its parameters: {})",
                Escaped::new(method),
                Escaped::new(unknown),
                names.join(", ")
            ),
        ));
    }
    let given = names
        .iter()
        .rposition(|n| members.contains_key(n))
        .map_or(0, |i| i + 1);
    names[..given]
        .iter()
        .map(|name| {
            members.remove(name).ok_or_else(|| {
                Fault::new(
                    codes::INVALID_PARAMS,
                    format!("\"{}\": parameter {name} is missing", Escaped::new(method)),
                )
            })
        })
        .collect()
}
