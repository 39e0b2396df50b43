//! Part of stage 2 (parse): structural scans of JSON text that `serde_json` cannot do.
//!
//! Input is JSON text, possibly cut off; output is byte offsets or slices. Two jobs: finding
//! the complete `{...}` objects in a scraper trailer that was cut mid-way (`serde_json`
//! rejects the whole array), and finding where each element of a valid top-level array
//! starts (`serde_json`'s `Value` keeps no positions, and a warning should name the line).
//!
//! Only ASCII bytes are structural in JSON, and in UTF-8 they never occur inside a
//! multi-byte character, so every offset found is a character boundary.

/// Tracks whether a byte is inside a JSON string, honouring backslash escapes.
#[derive(Default)]
struct Strings {
    inside: bool,
    escaped: bool,
}

impl Strings {
    /// Feeds one byte; returns true if it is structural (outside any string, not a quote).
    fn structural(&mut self, byte: u8) -> bool {
        if self.inside {
            if self.escaped {
                self.escaped = false;
            } else if byte == b'\\' {
                self.escaped = true;
            } else if byte == b'"' {
                self.inside = false;
            }
            false
        } else if byte == b'"' {
            self.inside = true;
            false
        } else {
            true
        }
    }
}

/// Every complete outermost `{...}` in `text`, in order, whatever surrounds them (an array,
/// commas, a cut-off tail). Unbalanced closing braces are ignored.
pub(crate) fn complete_objects(text: &str) -> Vec<&str> {
    let mut objects = Vec::new();
    let mut strings = Strings::default();
    let mut depth = 0_usize;
    let mut start = 0;
    for (offset, byte) in text.bytes().enumerate() {
        let was_inside = strings.inside;
        if !strings.structural(byte) {
            // A quote outside all objects would start a string that swallows the next
            // object; between the trailer's objects there are none, so only track strings
            // inside objects.
            if depth == 0 && !was_inside {
                strings.inside = false;
            }
            continue;
        }
        match byte {
            b'{' => {
                if depth == 0 {
                    start = offset;
                }
                depth += 1;
            }
            b'}' if depth > 0 => {
                depth -= 1;
                if depth == 0
                    && let Some(object) = text.get(start..=offset)
                {
                    objects.push(object);
                }
            }
            _ => {}
        }
    }
    objects
}

/// Byte offsets where the elements of the top-level array in `text` start. `text` must be a
/// valid JSON array (checked by `serde_json` beforehand); otherwise the result is partial.
pub(crate) fn array_element_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut strings = Strings::default();
    let mut depth = 0_usize;
    let mut expecting = false;
    for (offset, byte) in text.bytes().enumerate() {
        if depth == 1 && expecting && !strings.inside && !byte.is_ascii_whitespace() && byte != b']'
        {
            starts.push(offset);
            expecting = false;
        }
        if !strings.structural(byte) {
            continue;
        }
        match byte {
            b'[' | b'{' => {
                depth += 1;
                if depth == 1 {
                    expecting = true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expecting = true,
            _ => {}
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_complete_objects_in_a_cut_off_array() {
        let text = r#"[{"title":"a } \" {"} ,{"title":"b","x":{"y":1}} ,{"title":"c"#;
        assert_eq!(
            complete_objects(text),
            [r#"{"title":"a } \" {"}"#, r#"{"title":"b","x":{"y":1}}"#]
        );
        assert_eq!(complete_objects("} {\"a\":1}"), ["{\"a\":1}"]);
        assert!(complete_objects("").is_empty());
        assert!(complete_objects("{\"a\":\"\\").is_empty());
    }

    #[test]
    fn a_stray_quote_between_objects_does_not_hide_the_next_one() {
        assert_eq!(complete_objects(r#"{"a":1} " {"b":2}"#), [r#"{"a":1}"#, r#"{"b":2}"#]);
    }

    #[test]
    fn finds_where_array_elements_start() {
        let text = "[\n  {\"a\": [1, 2], \"b\": \"x,]\"},\n  \"s\" , 3,\n[4]\n]";
        let starts = array_element_starts(text);
        let found: Vec<char> =
            starts.iter().map(|&offset| text[offset..].chars().next().unwrap()).collect();
        assert_eq!(found, ['{', '"', '3', '[']);
        assert!(array_element_starts("[]").is_empty());
        assert!(array_element_starts("[ \n ]").is_empty());
        assert_eq!(array_element_starts("[é\"ü\"]"), [1]);
    }
}
