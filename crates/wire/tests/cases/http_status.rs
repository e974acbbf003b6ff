//! Tests of `wire::http_status`: registered reason phrases and the class of every code.

use wire::http_status::{StatusClass, reason_phrase, status_class, status_line};

case_test! {
    fn reason_phrases() {
        let cases = [
            (100, Some("Continue")),
            (103, Some("Early Hints")),
            (200, Some("OK")),
            (204, Some("No Content")),
            (226, Some("IM Used")),
            (301, Some("Moved Permanently")),
            (304, Some("Not Modified")),
            (308, Some("Permanent Redirect")),
            (404, Some("Not Found")),
            (413, Some("Content Too Large")),
            (418, Some("I'm a Teapot")),
            (422, Some("Unprocessable Content")),
            (429, Some("Too Many Requests")),
            (451, Some("Unavailable For Legal Reasons")),
            (500, Some("Internal Server Error")),
            (511, Some("Network Authentication Required")),
            (0, None),
            (299, None),
            (419, None),
            (509, None),
            (599, None),
            (999, None),
        ];
        for (code, expected) in cases {
            assert_eq!(reason_phrase(code), expected, "{code}");
        }
    }

    fn every_registered_code_has_a_phrase() {
        let registered: &[u16] = &[
            100, 101, 102, 103, 104, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305,
            306, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417,
            418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510,
            511,
        ];
        let found: Vec<u16> = (0..=u16::MAX).filter(|&code| reason_phrase(code).is_some()).collect();
        assert_eq!(found, registered);
    }

    fn classes() {
        let cases = [
            (0, StatusClass::Unknown),
            (99, StatusClass::Unknown),
            (100, StatusClass::Informational),
            (199, StatusClass::Informational),
            (200, StatusClass::Success),
            (299, StatusClass::Success),
            (302, StatusClass::Redirection),
            (404, StatusClass::ClientError),
            (499, StatusClass::ClientError),
            (500, StatusClass::ServerError),
            (599, StatusClass::ServerError),
            (600, StatusClass::Unknown),
            (u16::MAX, StatusClass::Unknown),
        ];
        for (code, expected) in cases {
            assert_eq!(status_class(code), expected, "{code}");
        }
    }

    fn status_lines() {
        assert_eq!(status_line(200), "200 OK");
        assert_eq!(status_line(418), "418 I'm a Teapot");
        assert_eq!(status_line(299), "299");
    }
}
