//! Binding a call's arguments to the parameters of a jitted function, as CPython does: by
//! position, then by keyword; the extra positional arguments go to `*args`; parameters left
//! without an argument take their default values. Errors read like CPython's `TypeError`s.

use crate::ArgSource;
use frontend::ast::{Param, ParamKind};

/// One entry per parameter: where its value comes from, or `None` for its default value.
pub(super) type Binding = Vec<Option<ArgSource>>;

/// Binds `positional` positional arguments and the keyword arguments named `keywords` to
/// `params` of function `name`.
pub(super) fn bind(
    name: &str,
    params: &[Param],
    positional: usize,
    keywords: &[&str],
) -> Result<Binding, String> {
    let mut binding: Binding = vec![None; params.len()];
    let positional_params: Vec<usize> = params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == ParamKind::Positional)
        .map(|(i, _)| i)
        .collect();
    let varargs = params.iter().position(|p| p.kind == ParamKind::VarArgs);
    for arg in 0..positional {
        match positional_params.get(arg) {
            Some(&param) => binding[param] = Some(ArgSource::Positional(arg)),
            None => match varargs {
                Some(v) => match &mut binding[v] {
                    Some(ArgSource::Packed(items)) => items.push(arg),
                    slot => *slot = Some(ArgSource::Packed(vec![arg])),
                },
                None => {
                    let count = positional_params.len();
                    let plural = if count == 1 { "" } else { "s" };
                    let verb = if positional == 1 { "was" } else { "were" };
                    return Err(format!(
                        "{name}() takes {count} positional argument{plural} but {positional} \
                         {verb} given"
                    ));
                }
            },
        }
    }
    if let Some(v) = varargs
        && binding[v].is_none()
    {
        binding[v] = Some(ArgSource::Packed(Vec::new()));
    }
    for (k, keyword) in keywords.iter().enumerate() {
        let found = params
            .iter()
            .position(|p| p.name == *keyword && p.kind != ParamKind::VarArgs);
        let Some(param) = found else {
            return Err(format!(
                "{name}() got an unexpected keyword argument '{keyword}'"
            ));
        };
        if binding[param].is_some() {
            return Err(format!(
                "{name}() got multiple values for argument '{keyword}'"
            ));
        }
        binding[param] = Some(ArgSource::Keyword(k));
    }
    for kind in [ParamKind::Positional, ParamKind::KeywordOnly] {
        let missing: Vec<String> = params
            .iter()
            .zip(&binding)
            .filter(|(p, b)| p.kind == kind && b.is_none() && p.default.is_none())
            .map(|(p, _)| format!("'{}'", p.name))
            .collect();
        if !missing.is_empty() {
            let plural = if missing.len() == 1 { "" } else { "s" };
            let which = match kind {
                ParamKind::KeywordOnly => "keyword-only",
                _ => "positional",
            };
            return Err(format!(
                "{name}() missing {} required {which} argument{plural}: {}",
                missing.len(),
                missing.join(" and ")
            ));
        }
    }
    Ok(binding)
}
