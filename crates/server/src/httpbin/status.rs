//! `/status/{codes}`: answers with a chosen status code, or one picked at random from a list,
//! optionally weighted like go-httpbin (`/status/200:0.7,500:0.3`).
//!
//! Codes run from 100 to 599, but hyper cannot send a 1xx as a final response (it would turn it
//! into a 500 and drop the connection), so 1xx codes are refused with a 400 that says so.
//! Some codes come with what a client expects of them: 3xx a `Location` (to `/redirect/1`),
//! 401 a `WWW-Authenticate`, 407 a `Proxy-Authenticate`, 418 a teapot.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{ApiPath, Httpbin};
use crate::error::ApiError;

const TEAPOT: &str = r#"
    -=[ teapot ]=-

       _...._
     .'  _ _ `.
    | ."` ^ `". _,
    \_;`"---"`|//
      |       ;/
      \_     _/
        `"""`
"#;

pub(crate) async fn status(
    State(state): State<Httpbin>,
    ApiPath(codes): ApiPath<String>,
) -> Result<Response, ApiError> {
    let choices = parse_codes(&codes)?;
    Ok(respond_with(pick(&choices, state.random_unit())))
}

/// A status code parameter: a whole number from 200 to 599 (1xx cannot be a final response).
pub(crate) fn parse_status_code(name: &str, text: &str) -> Result<StatusCode, ApiError> {
    let code = text.trim().parse::<u16>().ok().filter(|code| (100..=599).contains(code)).ok_or_else(|| {
        ApiError::bad_request(format!("{name}: expected a status code from 100 to 599, got {text:?}"))
    })?;
    if code < 200 {
        return Err(ApiError::bad_request(format!(
            "{name}: {code} is an informational (1xx) status, which cannot be sent as a final response"
        )));
    }
    StatusCode::from_u16(code)
        .map_err(|_| ApiError::bad_request(format!("{name}: expected a status code from 100 to 599, got {text:?}")))
}

/// `200`, `200,404`, `200:0.7,500:0.3`: codes with weights (default 1).
fn parse_codes(text: &str) -> Result<Vec<(StatusCode, f64)>, ApiError> {
    let mut choices = Vec::new();
    for item in text.split(',') {
        let (code, weight) = match item.split_once(':') {
            Some((code, weight)) => {
                let weight =
                    weight.trim().parse::<f64>().ok().filter(|w| w.is_finite() && *w >= 0.0).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "codes: expected a weight of 0 or more after {code:?}, got {weight:?}"
                        ))
                    })?;
                (code, weight)
            }
            None => (item, 1.0),
        };
        choices.push((parse_status_code("codes", code)?, weight));
    }
    if choices.iter().map(|(_, weight)| weight).sum::<f64>() <= 0.0 {
        return Err(ApiError::bad_request(format!("codes: the weights in {text:?} add up to 0")));
    }
    Ok(choices)
}

/// The code whose share of the total weight covers `unit` (a number in `[0, 1)`).
fn pick(choices: &[(StatusCode, f64)], unit: f64) -> StatusCode {
    let total: f64 = choices.iter().map(|(_, weight)| weight).sum();
    let mut target = unit * total;
    for (code, weight) in choices {
        if target < *weight {
            return *code;
        }
        target -= weight;
    }
    // Rounding can leave a sliver past the last code with a weight.
    choices.iter().rev().find(|(_, weight)| *weight > 0.0).map_or(StatusCode::OK, |(code, _)| *code)
}

fn respond_with(code: StatusCode) -> Response {
    match code.as_u16() {
        300..=399 => (code, [(header::LOCATION, "/redirect/1")]).into_response(),
        401 => (code, [(header::WWW_AUTHENTICATE, r#"Basic realm="wirelab""#)]).into_response(),
        407 => (code, [(header::PROXY_AUTHENTICATE, r#"Basic realm="wirelab""#)]).into_response(),
        418 => (code, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], TEAPOT).into_response(),
        _ => code.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_decide_the_pick() {
        let choices = parse_codes("200:0.7,500:0.3").unwrap();
        assert_eq!(pick(&choices, 0.0), StatusCode::OK);
        assert_eq!(pick(&choices, 0.69), StatusCode::OK);
        assert_eq!(pick(&choices, 0.71), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(pick(&choices, 0.999_999), StatusCode::INTERNAL_SERVER_ERROR);
        let zero_weight_last = parse_codes("201:1,503:0").unwrap();
        assert_eq!(pick(&zero_weight_last, 0.999_999_999_999), StatusCode::CREATED);
    }

    #[test]
    fn bad_lists_are_refused() {
        for bad in ["", "abc", "99", "600", "200,", "200:x", "200:-1", "200:0", "100", "-200", "200:NaN"] {
            assert!(parse_codes(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_codes(" 204 , 418:2").unwrap().len(), 2);
    }
}
