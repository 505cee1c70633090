//! What a file's source says before it runs, read without an isolate (the module loader has
//! none): whether a `.js` file no `package.json` types is an ES module, and which names a
//! CommonJS file exports, for `import { name }` of it.
//!
//! An ES module has an `import` or `export` statement, or `import.meta`, outside strings,
//! comments and regular expressions (Node 22 decides the same question by compiling).

/// True if `source` has ES module syntax.
pub fn has_module_syntax(source: &str) -> bool {
    let bytes = source.as_bytes();
    let mut i = 0;
    // The last significant byte, to tell a regular expression's '/' from a division's.
    let mut previous = b';';
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = find(bytes, i + 2, b"*/").map_or(bytes.len(), |end| end + 2);
                continue;
            }
            b'/' if b"(,=:[!&|?{};+-*%<>~^".contains(&previous) => {
                i = skip_regex(bytes, i + 1);
                previous = b'a';
                continue;
            }
            b'"' | b'\'' | b'`' => {
                i = skip_string(bytes, i + 1, byte);
                previous = b'a';
                continue;
            }
            b'i' | b'e' if starts_word(bytes, i) && is_statement(bytes, i) => return true,
            _ => {}
        }
        if !byte.is_ascii_whitespace() {
            previous = byte;
        }
        i += 1;
    }
    false
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn skip_string(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            b'\n' if quote != b'`' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

fn skip_regex(bytes: &[u8], mut i: usize) -> usize {
    let mut in_class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'[' => {
                in_class = true;
                i += 1
            }
            b']' => {
                in_class = false;
                i += 1
            }
            b'/' if !in_class => return i + 1,
            b'\n' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$' || byte >= 0x80
}

/// A word starts at `i` (not inside an identifier, not a property after '.').
fn starts_word(bytes: &[u8], i: usize) -> bool {
    i == 0 || !(is_identifier_byte(bytes[i - 1]) || bytes[i - 1] == b'.')
}

/// `import` or `export` at `i`, used as a statement (or `import.meta`), not as a property name.
fn is_statement(bytes: &[u8], i: usize) -> bool {
    let rest = &bytes[i..];
    let after = |word: &[u8]| -> Option<u8> {
        if !rest.starts_with(word) || rest.get(word.len()).is_some_and(|b| is_identifier_byte(*b)) {
            return None;
        }
        rest[word.len()..]
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace())
    };
    if let Some(next) = after(b"import") {
        if rest[6..].starts_with(b".meta") {
            return true;
        }
        return next == b'{'
            || next == b'*'
            || next == b'"'
            || next == b'\''
            || is_identifier_byte(next);
    }
    if let Some(next) = after(b"export") {
        return next == b'{' || next == b'*' || is_identifier_byte(next);
    }
    false
}

/// The names a CommonJS source assigns as `exports.name = ...`, `module.exports.name = ...` or
/// `Object.defineProperty(exports, "name", ...)`: the named exports Node's cjs-module-lexer would
/// find in the common cases. Names that are not identifiers, `default` and `__esModule` are left
/// out.
pub fn commonjs_exports(source: &str) -> Vec<String> {
    let bytes = source.as_bytes();
    let mut names: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        let valid = !name.is_empty()
            && !name.as_bytes()[0].is_ascii_digit()
            && name.bytes().all(is_identifier_byte)
            && !RESERVED.contains(&name)
            && name != "__esModule"
            && name != super::FACADE_BINDING;
        if valid && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    };
    let mut from = 0;
    while let Some(at) = find(bytes, from, b"exports") {
        from = at + 7;
        if at > 0 && is_identifier_byte(bytes[at - 1]) {
            continue;
        }
        let rest = &source[from..];
        if let Some(property) = rest.strip_prefix('.') {
            let name: String = property
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            let after = property[name.len()..].trim_start();
            if after.starts_with('=') && !after.starts_with("==") {
                add(&name);
            }
        } else if source[..at].trim_end().ends_with("defineProperty(")
            || source[..at].trim_end().ends_with("defineProperty(module.")
        {
            let after = rest.trim_start();
            if let Some(after) = after.strip_prefix(',') {
                let after = after.trim_start();
                if let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') {
                    if let Some(end) = after[1..].find(quote) {
                        add(&after[1..1 + end]);
                    }
                }
            }
        }
    }
    names
}

/// Words that cannot be bound by `export const { word }` in a module (strict mode).
const RESERVED: &[&str] = &[
    "arguments",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
];
