//! Splits BTQL text into tokens that know their line and column, so every
//! parse error can point at the character it is about. Shared by both
//! dialects. `--` and `/* */` comments and whitespace are skipped.

use std::fmt;

use super::error::ParseError;

/// Where a token starts: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A bare word: a keyword, a field name, a function name.
    Ident(String),
    /// `"…"` or `` `…` ``: a name that is never a keyword.
    QuotedIdent(String),
    /// `'…'`.
    String(String),
    /// A number as written.
    Number(String),
    /// Punctuation and operators: `, ( ) . [ ] * + - / = != <> < <= > >= ~ !~ | : => ;`.
    Symbol(&'static str),
    /// The end of the text.
    End,
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) pos: Pos,
}

impl Token {
    /// Whether the token is the bare word `word` (any case).
    pub(crate) fn is_word(&self, word: &str) -> bool {
        matches!(&self.tok, Tok::Ident(w) if w.eq_ignore_ascii_case(word))
    }

    /// Whether the token is the symbol `symbol`.
    pub(crate) fn is_symbol(&self, symbol: &str) -> bool {
        matches!(&self.tok, Tok::Symbol(s) if *s == symbol)
    }
}

/// How a token is named in "found …" messages.
impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(w) if super::ast::is_keyword(w) => f.write_str(&w.to_ascii_uppercase()),
            Tok::Ident(w) => write!(f, "`{w}`"),
            Tok::QuotedIdent(w) => write!(f, "`\"{}\"`", shorten(w)),
            Tok::String(s) => write!(f, "'{}'", shorten(s)),
            Tok::Number(n) => write!(f, "{}", shorten(n)),
            Tok::Symbol(s) => write!(f, "`{s}`"),
            Tok::End => f.write_str("end of query"),
        }
    }
}

/// Long literals are cut in messages; the column already says where.
fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

/// Two-character symbols first, so `<=` is not read as `<` then `=`.
const SYMBOLS: &[&str] = &[
    "!=", "<>", "<=", ">=", "=>", "!~", ",", "(", ")", ".", "[", "]", "*", "+", "-", "/", "=", "<",
    ">", "~", "|", ":", ";",
];

/// Splits `text` into tokens, ending with [`Tok::End`].
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    Lexer {
        chars: text.chars().collect(),
        at: 0,
        pos: Pos { line: 1, column: 1 },
    }
    .run()
}

struct Lexer {
    chars: Vec<char>,
    at: usize,
    pos: Pos,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.at += 1;
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    fn run(mut self) -> Result<Vec<Token>, ParseError> {
        let mut tokens = Vec::new();
        loop {
            self.skip_space_and_comments()?;
            let pos = self.pos;
            let Some(c) = self.peek(0) else {
                tokens.push(Token { tok: Tok::End, pos });
                return Ok(tokens);
            };
            let tok = if c.is_alphabetic() || c == '_' {
                let mut word = String::new();
                while let Some(c) = self.peek(0).filter(|c| c.is_alphanumeric() || *c == '_') {
                    word.push(c);
                    self.bump();
                }
                Tok::Ident(word)
            } else if c.is_ascii_digit() {
                self.number()
            } else if c == '\'' {
                Tok::String(self.quoted('\'', pos, "string")?)
            } else if c == '"' || c == '`' {
                let name = self.quoted(c, pos, "quoted name")?;
                Tok::QuotedIdent(name)
            } else if let Some(symbol) = self.symbol() {
                symbol
            } else {
                return Err(ParseError::at(
                    pos,
                    format!("unexpected character `{}`", c.escape_debug()),
                ));
            };
            tokens.push(Token { tok, pos });
        }
    }

    fn skip_space_and_comments(&mut self) -> Result<(), ParseError> {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(c), _) if c.is_whitespace() => {
                    self.bump();
                }
                (Some('-'), Some('-')) => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                (Some('/'), Some('*')) => {
                    let start = self.pos;
                    self.bump();
                    self.bump();
                    loop {
                        match (self.peek(0), self.peek(1)) {
                            (Some('*'), Some('/')) => {
                                self.bump();
                                self.bump();
                                break;
                            }
                            (Some(_), _) => {
                                self.bump();
                            }
                            (None, _) => {
                                return Err(ParseError::at(start, "unterminated comment"));
                            }
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Digits, an optional fraction, an optional exponent.
    fn number(&mut self) -> Tok {
        let mut text = String::new();
        let digits = |lexer: &mut Lexer, text: &mut String| {
            while let Some(c) = lexer.peek(0).filter(char::is_ascii_digit) {
                text.push(c);
                lexer.bump();
            }
        };
        digits(self, &mut text);
        if self.peek(0) == Some('.') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            text.push('.');
            self.bump();
            digits(self, &mut text);
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            let sign = matches!(self.peek(1), Some('+' | '-'));
            let first_digit = self.peek(if sign { 2 } else { 1 });
            if first_digit.is_some_and(|c| c.is_ascii_digit()) {
                text.push('e');
                self.bump();
                if sign {
                    text.push(self.bump().expect("peeked"));
                }
                digits(self, &mut text);
            }
        }
        Tok::Number(text)
    }

    /// A string or quoted name closed by `quote`; a doubled quote stands
    /// for itself.
    fn quoted(&mut self, quote: char, start: Pos, what: &str) -> Result<String, ParseError> {
        self.bump();
        let mut text = String::new();
        loop {
            match self.bump() {
                Some(c) if c == quote => {
                    if self.peek(0) == Some(quote) {
                        self.bump();
                        text.push(quote);
                    } else {
                        return Ok(text);
                    }
                }
                Some(c) => text.push(c),
                None => return Err(ParseError::at(start, format!("unterminated {what}"))),
            }
        }
    }

    fn symbol(&mut self) -> Option<Tok> {
        for symbol in SYMBOLS {
            let matches = symbol
                .chars()
                .enumerate()
                .all(|(i, c)| self.peek(i) == Some(c));
            if matches {
                for _ in 0..symbol.chars().count() {
                    self.bump();
                }
                return Some(Tok::Symbol(symbol));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok> {
        tokenize(text).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn splits_words_numbers_strings_and_symbols() {
        assert_eq!(
            toks("a.b[0] >= 1.5e3 AND x <> 'it''s' -- note\n/* c */ \"q.k\""),
            vec![
                Tok::Ident("a".into()),
                Tok::Symbol("."),
                Tok::Ident("b".into()),
                Tok::Symbol("["),
                Tok::Number("0".into()),
                Tok::Symbol("]"),
                Tok::Symbol(">="),
                Tok::Number("1.5e3".into()),
                Tok::Ident("AND".into()),
                Tok::Ident("x".into()),
                Tok::Symbol("<>"),
                Tok::String("it's".into()),
                Tok::QuotedIdent("q.k".into()),
                Tok::End,
            ]
        );
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let tokens = tokenize("é\n  x").unwrap();
        assert_eq!(tokens[0].pos, Pos { line: 1, column: 1 });
        assert_eq!(tokens[1].pos, Pos { line: 2, column: 3 });
        assert_eq!(tokens[2].pos, Pos { line: 2, column: 4 });
    }

    #[test]
    fn unterminated_string_points_at_its_start() {
        let err = tokenize("a = 'open").unwrap_err();
        assert_eq!(err.to_string(), "line 1, column 5: unterminated string");
        let err = tokenize("a # b").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1, column 3: unexpected character `#`"
        );
    }
}
