//! Tests of `wire::curl`: realistic pasted commands (docs, terminals, browsers' "Copy as cURL"),
//! each shown as the request it becomes and its warnings, and each error with its position.

use expect_test::{Expect, expect};
use wire::curl::parse_curl;
use wire::http_request::{Auth, HttpRequest, MultipartValue, RequestBody};

/// The imported request as lines of text, one fact a line.
fn show(request: &HttpRequest) -> String {
    let mut lines = vec![format!("{} {}", request.method, request.url)];
    for header in &request.headers {
        lines.push(format!(
            "header {:?}: {:?}{}",
            header.name,
            header.value,
            if header.enabled { "" } else { " (off)" }
        ));
    }
    match &request.body {
        RequestBody::None => {}
        RequestBody::Json(text) => lines.push(format!("json {text:?}")),
        RequestBody::Xml(text) => lines.push(format!("xml {text:?}")),
        RequestBody::Form(rows) => {
            for row in rows {
                lines.push(format!("form {:?} = {:?}", row.name, row.value));
            }
            if rows.is_empty() {
                lines.push("form (empty)".into());
            }
        }
        RequestBody::Multipart(fields) => {
            for field in fields {
                match &field.value {
                    MultipartValue::Text(text) => lines.push(format!("multipart {:?} = {text:?}", field.name)),
                    MultipartValue::File { file_name, content_type, size } => {
                        lines.push(format!("multipart {:?} = file {file_name:?} {content_type:?} {size}", field.name))
                    }
                }
            }
        }
        RequestBody::Text { content_type, text } => lines.push(format!("text {content_type:?} {text:?}")),
        RequestBody::Binary { source, text } => lines.push(format!("binary {source:?} {text:?}")),
        RequestBody::File { file_name, content_type, size } => {
            lines.push(format!("file {file_name:?} {content_type:?} {size}"))
        }
    }
    match &request.auth {
        Auth::None => {}
        Auth::Basic { user, password } => lines.push(format!("basic {user:?} {password:?}")),
        Auth::Bearer { token } => lines.push(format!("bearer {token:?}")),
    }
    if request.timeout_ms != HttpRequest::default().timeout_ms {
        lines.push(format!("timeout {:?}", request.timeout_ms));
    }
    lines.join("\n")
}

fn check(command: &str, expected: Expect) {
    let shown = match parse_curl(command) {
        Ok(import) => {
            let mut shown = show(&import.request);
            for warning in import.warnings {
                shown.push_str(&format!("\nwarning: {warning}"));
            }
            shown
        }
        Err(error) => format!("error: {error}"),
    };
    expected.assert_eq(&shown);
}

case_test! {
    fn simple_commands() {
        check("curl https://example.com", expect![["GET https://example.com"]]);
        check("curl http://127.0.0.1:8080/json?pretty=1", expect![["GET http://127.0.0.1:8080/json?pretty=1"]]);
        check("$ curl -sSL 'https://example.com/a b'", expect![["GET https://example.com/a b"]]);
        check("curl --url https://example.com/x -X DELETE", expect![["DELETE https://example.com/x"]]);
        check("curl -XPURGE -HX-Cache:all https://cdn.example.com/img.png", expect![[r#"PURGE https://cdn.example.com/img.png
header "X-Cache": "all""#]]);
        check("curl -I https://example.com", expect![["HEAD https://example.com"]]);
        check("curl --head https://example.com -X GET", expect![["GET https://example.com"]]);
        check("/usr/bin/curl example.com", expect![["GET example.com"]]);
    }

    fn headers() {
        check(
            r#"curl -H "Accept: application/json" -H 'X-Empty;' --header=X-Three:3 -H "X-Spaces:   padded   " https://x/"#,
            expect![[r#"GET https://x/
header "Accept": "application/json"
header "X-Empty": ""
header "X-Three": "3"
header "X-Spaces": "padded""#]],
        );
        check("curl -H 'Accept:' -H 'NoColon' -H @headers.txt https://x/", expect![[r#"GET https://x/
warning: -H 'Accept:' tells curl not to send its own Accept header; ignored
warning: -H 'NoColon' is not a header (it has no ':'); ignored
warning: -H @headers.txt reads headers from a file, which is not available here"#]]);
        check("curl -A 'Wirelab/1.0' -e https://ref.example/ -b 'a=1; b=2' -b c=3 -r 0-99 https://x/", expect![[r#"GET https://x/
header "User-Agent": "Wirelab/1.0"
header "Referer": "https://ref.example/"
header "Cookie": "a=1; b=2; c=3"
header "Range": "bytes=0-99""#]]);
        check("curl -b cookies.txt https://x/", expect![[r#"GET https://x/
warning: -b cookies.txt reads cookies from a file, which is not available here"#]]);
    }

    fn data_bodies() {
        check("curl -d 'name=Ada+Lovelace&lang=en' https://x/form", expect![[r#"POST https://x/form
form "name" = "Ada Lovelace"
form "lang" = "en""#]]);
        check("curl -d name=Ada -d lang=en https://x/form", expect![[r#"POST https://x/form
form "name" = "Ada"
form "lang" = "en""#]]);
        check("curl --data=hello https://x/", expect![[r#"POST https://x/
text "application/x-www-form-urlencoded" "hello""#]]);
        check("curl -d '' https://x/", expect![[r#"POST https://x/
form (empty)"#]]);
        check(r#"curl -X PUT -H 'Content-Type: application/json' -d '{"a": 1}' https://x/items/1"#, expect![[r#"PUT https://x/items/1
json "{\"a\": 1}""#]]);
        check(r#"curl -H 'Content-Type: application/json; charset=utf-8' --data-raw '{"a":1}' https://x/"#, expect![[r#"POST https://x/
header "Content-Type": "application/json; charset=utf-8"
json "{\"a\":1}""#]]);
        check(r#"curl -H 'content-type: text/xml' --data-binary '<a><b/></a>' https://x/soap"#, expect![[r#"POST https://x/soap
header "content-type": "text/xml"
xml "<a><b/></a>""#]]);
        check("curl -H 'Content-Type: text/csv' --data-binary $'a,b\\n1,2' https://x/csv", expect![[r#"POST https://x/csv
text "text/csv" "a,b\n1,2""#]]);
        check(r#"curl --json '{"q":"wire"}' https://x/search"#, expect![[r#"POST https://x/search
header "Accept": "application/json"
json "{\"q\":\"wire\"}""#]]);
        check("curl --data-urlencode 'q=two words & more' --data-urlencode =plain --data-urlencode raw@file.txt https://x/", expect![[r#"POST https://x/
text "application/x-www-form-urlencoded" "q=two+words+%26+more&plain&raw@file.txt"
warning: --data-urlencode raw@file.txt reads a file, which is not available here: the body is the text "raw@file.txt"; replace it"#]]);
        check("curl -d @body.json -H 'Content-Type: application/json' https://x/", expect![[r#"POST https://x/
json "@body.json"
warning: -d @body.json reads a file, which is not available here: the body is the text "@body.json"; replace it"#]]);
        check("curl --data-raw @literal https://x/", expect![[r#"POST https://x/
text "application/x-www-form-urlencoded" "@literal""#]]);
        check("curl -G -d q=wire -d page=2 https://x/search?lang=en", expect![["GET https://x/search?lang=en&q=wire&page=2"]]);
    }

    fn multipart() {
        check(
            "curl -F name=Ada -F 'photo=@/home/ada/me.png;type=image/png' -F 'doc=@\"a;b.pdf\";filename=report.pdf' --form-string 'at=@not-a-file' https://x/upload",
            expect![[r#"POST https://x/upload
multipart "name" = "Ada"
multipart "photo" = file "me.png" "image/png" 0
multipart "doc" = file "report.pdf" "" 0
multipart "at" = "@not-a-file"
warning: the file me.png for form field 'photo' is not available here: choose it again
warning: the file report.pdf for form field 'doc' is not available here: choose it again"#]],
        );
        check("curl -F 'bad' -F 'note=<notes.txt' -d 'x=1' https://x/", expect![[r#"POST https://x/
multipart "note" = "<notes.txt"
warning: -F 'bad' has no '=' between the field name and its value; ignored
warning: form field 'note' reads its value from the file notes.txt, which is not available here
warning: the command has both -F and -d data; curl refuses that, so the -d data was dropped"#]]);
    }

    fn auth_and_timeouts() {
        check("curl -u ada:s3cr:et https://x/", expect![[r#"GET https://x/
basic "ada" "s3cr:et""#]]);
        check("curl -u ada https://x/", expect![[r#"GET https://x/
basic "ada" """#]]);
        check("curl --oauth2-bearer abc.def.ghi https://x/", expect![[r#"GET https://x/
bearer "abc.def.ghi""#]]);
        check("curl -H 'Authorization: Bearer abc' https://x/", expect![[r#"GET https://x/
bearer "abc""#]]);
        check("curl -H 'authorization: Basic YWRhOnB3' https://x/", expect![[r#"GET https://x/
basic "ada" "pw""#]]);
        check("curl -H 'Authorization: Basic not-base64!' https://x/", expect![[r#"GET https://x/
header "Authorization": "Basic not-base64!""#]]);
        check("curl -m 2.5 https://x/", expect![[r#"GET https://x/
timeout Some(2500)"#]]);
        check("curl --max-time soon https://x/", expect![[r#"GET https://x/
warning: --max-time 'soon' is not a number of seconds; the timeout was left as it was"#]]);
    }

    fn flags_and_warnings() {
        check("curl -k --compressed -v -i -L --http1.1 --http2 -sS https://x/", expect![[r#"GET https://x/
warning: -k was ignored: the browser always verifies certificates (it does not skip the check)"#]]);
        check("curl --proxy http://proxy:3128 -o out.json --frobnicate value -z https://x/", expect![[r#"GET https://x/
warning: --proxy http://proxy:3128 does not apply when the browser sends the request; ignored
warning: -o out.json does not apply when the browser sends the request; ignored
warning: curl option --frobnicate is not supported and was ignored
warning: curl option -z is not supported and was ignored
warning: the word `value` was ignored (is it the value of an option that is not supported?)"#]]);
        check("curl https://x/ https://y/", expect![[r#"GET https://x/
warning: only one URL is used; https://y/ was ignored"#]]);
        check("curl https://x/ | jq .", expect![[r#"GET https://x/
warning: everything from `|` on is not part of the curl command and was ignored: | jq ."#]]);
        check("curl \"https://x/?token=$TOKEN\"", expect![[r#"GET https://x/?token=$TOKEN
warning: $TOKEN looks like a shell variable or substitution; it was kept as typed"#]]);
        check("curl https://x/ -H", expect![[r#"GET https://x/
warning: -H at the end has no value and was ignored"#]]);
    }

    fn chrome_copy_as_curl() {
        check(
            r#"curl 'https://api.example.com/v1/users?page=2' \
  -H 'accept: application/json, text/plain, */*' \
  -H 'accept-language: en-GB,en;q=0.9' \
  -H 'content-type: application/json' \
  -b 'session=abc123; theme=dark' \
  -H 'origin: https://app.example.com' \
  -H 'priority: u=1, i' \
  -H 'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"' \
  -H 'sec-fetch-mode: cors' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36' \
  --data-raw '{"name":"Ada","tags":["a","b"]}'"#,
            expect![[r#"POST https://api.example.com/v1/users?page=2
header "accept": "application/json, text/plain, */*"
header "accept-language": "en-GB,en;q=0.9"
header "Cookie": "session=abc123; theme=dark"
header "origin": "https://app.example.com"
header "priority": "u=1, i"
header "sec-ch-ua": "\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\""
header "sec-fetch-mode": "cors"
header "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"
json "{\"name\":\"Ada\",\"tags\":[\"a\",\"b\"]}""#]],
        );
        check(
            r#"curl 'https://example.com/api/notes' \
  -H $'x-note: it\'s \u00e9t\xc3\xa9 \\ done' \
  --data-raw $'{"text":"line one\\nline two","quote":"O\'Brien"}'"#,
            expect![[r#"POST https://example.com/api/notes
header "x-note": "it's été \\ done"
text "application/x-www-form-urlencoded" "{\"text\":\"line one\\nline two\",\"quote\":\"O'Brien\"}""#]],
        );
        check(
            "curl 'https://example.com/form' \\\r\n  -H 'content-type: application/x-www-form-urlencoded' \\\r\n  --data-raw 'a=1&b=%C3%A9'\r\n",
            expect![[r#"POST https://example.com/form
form "a" = "1"
form "b" = "é""#]],
        );
    }

    fn firefox_copy_as_curl() {
        check(
            r#"curl 'https://example.com/graphql' --compressed -X POST -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0' -H 'Accept: */*' -H 'Content-Type: application/json' -H 'Connection: keep-alive' --data-raw '{"query":"{ me { id } }"}'"#,
            expect![[r#"POST https://example.com/graphql
header "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
header "Accept": "*/*"
header "Connection": "keep-alive"
json "{\"query\":\"{ me { id } }\"}""#]],
        );
    }

    fn shell_quoting() {
        check(r#"curl "https://x/\$path" -H "X-Q: \"quoted\" \\ \z" -d 'it'\''s'"#, expect![[r#"POST https://x/$path
header "X-Q": "\"quoted\" \\ \\z"
text "application/x-www-form-urlencoded" "it's""#]]);
        check("curl 'https://x/'\\\n  -d a\\ b=c # a comment\n", expect![[r#"POST https://x/
text "application/x-www-form-urlencoded" "a b=c""#]]);
        check("curl -d $'\\x41\\101\\u0042\\cA\\e\\q' https://x/", expect![[r#"POST https://x/
text "application/x-www-form-urlencoded" "AAB\u{1}\u{1b}\\q""#]]);
        check("curl -d $\"locale\" -- -not-an-option", expect![[r#"POST -not-an-option
text "application/x-www-form-urlencoded" "locale""#]]);
    }

    fn errors() {
        check("", expect![["error: paste a curl command, such as curl https://example.com at line 1, column 1"]]);
        check("   \n  ", expect![["error: paste a curl command, such as curl https://example.com at line 2, column 3"]]);
        check("wget https://x/", expect![["error: a curl command starts with `curl`, not `wget` at line 1, column 1"]]);
        check("http https://x/", expect![["error: a curl command starts with `curl`, not `http` at line 1, column 1"]]);
        check("curl 'https://x/", expect![["error: this single quote is never closed at line 1, column 6"]]);
        check("curl -H \"Accept: */*\n  https://x/", expect![["error: this double quote is never closed at line 1, column 9"]]);
        check("curl -d $'abc https://x/", expect![["error: this $'...' quote is never closed at line 1, column 9"]]);
        check("curl -X POST \\\n  -H 'Accept: */*'", expect![["error: the command has no URL: add one, such as https://example.com at line 2, column 19"]]);
        check("curl -s", expect![["error: the command has no URL: add one, such as https://example.com at line 1, column 8"]]);
    }
    fn every_truncated_paste_is_read_without_panicking() {
        let command = "$ curl -sSLXPOST $'https://x/\\x41\\u00e9\\101\\c' \\\n -H \"A: \\\"b\\\" $X\" -F 'f=@\"a;b\";type=t' \
                       --data-urlencode n@f -d @- -G -u u -m 1e400 -- 'é' # c\r\n| x";
        let mut parsed = 0;
        for (end, _) in command.char_indices().chain([(command.len(), ' ')]) {
            let prefix = &command[..end];
            if let Ok(import) = parse_curl(prefix) {
                parsed += 1;
                let _ = wire::codegen::to_curl(&import.request);
                let _ = import.request.check();
            }
        }
        assert!(parsed > 10, "{parsed}");
    }
}
