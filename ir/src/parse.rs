//! The IR text parser: reads what [`crate::print`] writes (its module doc describes the syntax)
//! back into a [`Function`] or [`Module`], for golden tests and hand-written IR.
//!
//! Value and block numbers are kept: `v7` in the text is `Value(7)` in the function, so the
//! output of a pass can be compared with its input by eye, and `print(parse(text)) == text` for
//! printed text. Numbers that the text skips become unused arena slots (blocks outside the layout,
//! values defined by one detached `iconst` instruction), exactly like the slots passes leave
//! behind when they remove things. Instruction numbers are not written and are assigned in text
//! order.
//!
//! The parser checks only what it needs to build the data: every used value and every branch
//! target is defined exactly once, result counts fit the opcode and every result type can be
//! recovered. Everything else (operand types, terminators, dominance) is the verifier's job, so
//! invalid functions can be written down to test it. Errors carry a 1-based `line:col`; the
//! parser never panics.

use crate::function::*;
use crate::print::{
    ALL_FLOATCC, ALL_INTCC, ResultRule, SIMPLE_OPS, floatcc_name, intcc_name, opcode_name,
    result_rule,
};
use crate::verify::abi_type;
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use std::collections::HashMap;
use std::fmt;

/// A syntax error and where it is (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for ParseError {}

type PResult<T> = Result<T, ParseError>;

/// Largest value or block number accepted (keeps the arenas of hostile input small).
const MAX_ENTITY: u32 = 1 << 20;

/// Parses a module: zero or more functions.
pub fn parse_module(text: &str) -> Result<Module, ParseError> {
    let mut cursor = Cursor::new(text);
    let mut functions = Vec::new();
    loop {
        cursor.skip_blank();
        if cursor.peek().is_none() {
            return Ok(Module { functions });
        }
        functions.push(parse_one_function(&mut cursor)?);
    }
}

/// Parses a text holding exactly one function.
pub fn parse_function(text: &str) -> Result<Function, ParseError> {
    let mut cursor = Cursor::new(text);
    cursor.skip_blank();
    let func = parse_one_function(&mut cursor)?;
    cursor.skip_blank();
    if cursor.peek().is_some() {
        return Err(cursor.error("expected the end of the text after the function"));
    }
    Ok(func)
}

#[derive(Copy, Clone, Debug)]
struct Pos {
    line: u32,
    col: u32,
}

struct Cursor<'a> {
    rest: std::str::Chars<'a>,
    line: u32,
    col: u32,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            rest: text.chars(),
            line: 1,
            col: 1,
        }
    }
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }
    fn peek(&self) -> Option<char> {
        self.rest.clone().next()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.rest.next()?;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }
    fn error(&self, message: impl Into<String>) -> ParseError {
        error_at(self.pos(), message)
    }
    /// Skips spaces and a comment, but not the end of the line.
    fn skip_spaces(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' => {
                    self.bump();
                }
                ';' => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                _ => return,
            }
        }
    }
    /// Skips spaces, comments and empty lines.
    fn skip_blank(&mut self) {
        loop {
            self.skip_spaces();
            if self.peek() != Some('\n') {
                return;
            }
            self.bump();
        }
    }
    fn at_eol(&mut self) -> bool {
        self.skip_spaces();
        matches!(self.peek(), None | Some('\n'))
    }
    fn expect_eol(&mut self) -> PResult<()> {
        if !self.at_eol() {
            return Err(self.error("expected the end of the line"));
        }
        self.bump();
        Ok(())
    }
    fn eat(&mut self, c: char) -> bool {
        self.skip_spaces();
        if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char) -> PResult<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(format!("expected `{c}`")))
        }
    }
    /// A word: `[A-Za-z_][A-Za-z0-9_.]*` (opcodes with suffixes, `v3`, `block2`, types).
    fn word(&mut self, what: &str) -> PResult<(String, Pos)> {
        self.skip_spaces();
        let pos = self.pos();
        if !self
            .peek()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        {
            return Err(self.error(format!("expected {what}")));
        }
        let mut word = String::new();
        while let Some(c) = self
            .peek()
            .filter(|&c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            word.push(c);
            self.bump();
        }
        Ok((word, pos))
    }
    /// A run of characters up to a space, comma, comment or `@` (float immediates).
    fn token(&mut self) -> (String, Pos) {
        self.skip_spaces();
        let pos = self.pos();
        let mut token = String::new();
        while let Some(c) = self
            .peek()
            .filter(|&c| !c.is_whitespace() && !matches!(c, ',' | ';' | '@' | ')'))
        {
            token.push(c);
            self.bump();
        }
        (token, pos)
    }
    /// A decimal integer with an optional sign, within `min..=max`.
    fn integer(&mut self, what: &str, min: i128, max: i128) -> PResult<i128> {
        self.skip_spaces();
        let pos = self.pos();
        let mut text = String::new();
        if let Some(sign) = self.peek().filter(|&c| c == '-' || c == '+') {
            text.push(sign);
            self.bump();
        }
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            text.push(c);
            self.bump();
        }
        match text.parse::<i128>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            Ok(_) => Err(error_at(pos, format!("{what} {text} is out of range"))),
            Err(_) => Err(error_at(pos, format!("expected {what}"))),
        }
    }
    fn u32(&mut self, what: &str) -> PResult<u32> {
        Ok(self.integer(what, 0, u32::MAX as i128)? as u32)
    }
    fn string(&mut self) -> PResult<String> {
        self.skip_spaces();
        let start = self.pos();
        self.expect('"')?;
        let mut out = String::new();
        loop {
            let pos = self.pos();
            match self.bump() {
                None | Some('\n') => return Err(error_at(start, "unterminated string")),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some('u') => {
                        self.expect('{')?;
                        let mut hex = String::new();
                        while let Some(c) = self.peek().filter(char::is_ascii_hexdigit) {
                            hex.push(c);
                            self.bump();
                        }
                        self.expect('}')?;
                        let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                        out.push(c.ok_or_else(|| error_at(pos, "invalid `\\u{...}` escape"))?);
                    }
                    _ => return Err(error_at(pos, "unknown escape in string")),
                },
                Some(c) => out.push(c),
            }
        }
    }
    /// A function name after `@`: plain or quoted.
    fn name(&mut self) -> PResult<String> {
        self.expect('@')?;
        if self.peek() == Some('"') {
            self.string()
        } else {
            Ok(self.word("a function name")?.0)
        }
    }
}

fn error_at(pos: Pos, message: impl Into<String>) -> ParseError {
    ParseError {
        line: pos.line,
        col: pos.col,
        message: message.into(),
    }
}

/// `prefix` followed by a decimal number (`v3`, `block2`, `error0`).
fn entity_number(word: &str, prefix: &str) -> Option<u32> {
    let digits = word.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn parse_type(word: &str, pos: Pos) -> PResult<Ty> {
    Ty::from_name(word).ok_or_else(|| error_at(pos, format!("unknown type `{word}`")))
}

fn parse_float(text: &str, pos: Pos) -> PResult<f64> {
    let bad = || error_at(pos, format!("invalid float immediate `{text}`"));
    match text {
        "nan" => Ok(f64::NAN),
        "inf" => Ok(f64::INFINITY),
        "-inf" => Ok(f64::NEG_INFINITY),
        _ => {
            if let Some(hex) = text.strip_prefix("nan:0x") {
                let bits = u64::from_str_radix(hex, 16).map_err(|_| bad())?;
                let x = f64::from_bits(bits);
                return if x.is_nan() { Ok(x) } else { Err(bad()) };
            }
            // Only decimal syntax: Rust's parser would also take `NaN` or `infinity`.
            let decimal = text
                .bytes()
                .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
            let x: f64 = text.parse().map_err(|_| bad())?;
            if decimal { Ok(x) } else { Err(bad()) }
        }
    }
}

/// A value written in the text, with where it was written.
type PValue = (u32, Pos);

/// An instruction before entities are resolved.
struct PInst {
    op: Op,
    pos: Pos,
    results: Vec<PValue>,
    result_types: Vec<Option<Ty>>,
    args: Vec<PValue>,
    targets: Vec<(u32, Pos, Vec<PValue>)>,
    line: u32,
    col: u32,
}

struct PBlock {
    number: u32,
    pos: Pos,
    params: Vec<(PValue, Ty)>,
    insts: Vec<PInst>,
}

fn parse_value(cursor: &mut Cursor) -> PResult<PValue> {
    let (word, pos) = cursor.word("a value")?;
    match entity_number(&word, "v") {
        Some(n) if n <= MAX_ENTITY => Ok((n, pos)),
        Some(_) => Err(error_at(pos, "value number is too large")),
        None => Err(error_at(pos, format!("expected a value, found `{word}`"))),
    }
}

fn parse_values_in_parens(cursor: &mut Cursor) -> PResult<Vec<PValue>> {
    cursor.expect('(')?;
    let mut values = Vec::new();
    if cursor.eat(')') {
        return Ok(values);
    }
    loop {
        values.push(parse_value(cursor)?);
        if cursor.eat(')') {
            return Ok(values);
        }
        cursor.expect(',')?;
    }
}

fn parse_types_until(cursor: &mut Cursor, end: char) -> PResult<Vec<Ty>> {
    let mut types = Vec::new();
    cursor.skip_spaces();
    if cursor.peek() == Some(end) {
        return Ok(types);
    }
    loop {
        let (word, pos) = cursor.word("a type")?;
        types.push(parse_type(&word, pos)?);
        if !cursor.eat(',') {
            return Ok(types);
        }
    }
}

/// A function's parameter types, each `ptr` optionally marked `arrayNd` (a descriptor of rank
/// N), up to the closing parenthesis.
fn parse_params(cursor: &mut Cursor) -> PResult<(Vec<Ty>, Vec<Option<u32>>)> {
    let (mut types, mut ranks) = (Vec::new(), Vec::new());
    cursor.skip_spaces();
    if cursor.peek() == Some(')') {
        return Ok((types, ranks));
    }
    loop {
        let (word, pos) = cursor.word("a type")?;
        let ty = parse_type(&word, pos)?;
        cursor.skip_spaces();
        let mut rank = None;
        if cursor.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            let (mark, pos) = cursor.word("`arrayNd`")?;
            let n = mark
                .strip_prefix("array")
                .and_then(|m| m.strip_suffix('d'))
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|_| ty == Ty::Ptr);
            match n {
                Some(n) => rank = Some(n),
                None => {
                    return Err(error_at(
                        pos,
                        format!("expected `arrayNd` after a `ptr` parameter, found `{mark}`"),
                    ));
                }
            }
        }
        types.push(ty);
        ranks.push(rank);
        if !cursor.eat(',') {
            return Ok((types, ranks));
        }
    }
}

fn parse_one_function(cursor: &mut Cursor) -> PResult<Function> {
    let (word, pos) = cursor.word("`function`")?;
    if word != "function" {
        return Err(error_at(
            pos,
            format!("expected `function`, found `{word}`"),
        ));
    }
    let name = cursor.name()?;
    cursor.expect('(')?;
    let (params, param_ranks) = parse_params(cursor)?;
    cursor.expect(')')?;
    let mut returns = Vec::new();
    if cursor.eat('-') {
        cursor.expect('>')?;
        returns = parse_types_until(cursor, '{')?;
    }
    cursor.expect('{')?;
    cursor.expect_eol()?;
    let mut func = Function::new(name, params, returns);
    if param_ranks.iter().any(Option::is_some) {
        func.param_ranks = param_ranks;
    }
    let mut blocks: Vec<PBlock> = Vec::new();
    loop {
        cursor.skip_blank();
        if cursor.eat('}') {
            cursor.expect_eol()?;
            break;
        }
        if cursor.peek().is_none() {
            return Err(cursor.error("expected `}` closing the function"));
        }
        let start = cursor.pos();
        let (word, pos) = cursor.word("an instruction, block header or `}`")?;
        if let Some(n) = entity_number(&word, "error") {
            if !blocks.is_empty() {
                return Err(error_at(
                    pos,
                    "error table entries must come before the blocks",
                ));
            }
            if n as usize != func.errors.len() {
                return Err(error_at(
                    pos,
                    format!("expected error{}", func.errors.len()),
                ));
            }
            func.errors.push(parse_error_site(cursor)?);
        } else if let Some(number) = entity_number(&word, "block") {
            if number > MAX_ENTITY {
                return Err(error_at(pos, "block number is too large"));
            }
            let params = parse_block_params(cursor)?;
            cursor.expect(':')?;
            blocks.push(PBlock {
                number,
                pos,
                params,
                insts: Vec::new(),
            });
        } else {
            let Some(block) = blocks.last_mut() else {
                return Err(error_at(pos, "instruction before the first block header"));
            };
            block.insts.push(parse_inst(cursor, word, pos, start)?);
        }
        cursor.expect_eol()?;
    }
    build_function(func, blocks)
}

fn parse_error_site(cursor: &mut Cursor) -> PResult<ErrorSite> {
    cursor.expect('=')?;
    let (kind_name, pos) = cursor.word("an exception kind")?;
    let kind = ExceptionKind::from_name(&kind_name)
        .ok_or_else(|| error_at(pos, format!("unknown exception kind `{kind_name}`")))?;
    let message = cursor.string()?;
    cursor.expect('@')?;
    let line = cursor.u32("a line number")?;
    cursor.expect(':')?;
    let col = cursor.u32("a column number")?;
    cursor.skip_spaces();
    let function = if cursor.peek() == Some('i') {
        let (word, pos) = cursor.word("`in`")?;
        if word != "in" {
            return Err(error_at(
                pos,
                format!("expected `in` or the end of the line, found `{word}`"),
            ));
        }
        cursor.skip_spaces();
        cursor.string()?
    } else {
        String::new()
    };
    Ok(ErrorSite {
        kind,
        message,
        line,
        col,
        function,
    })
}

fn parse_block_params(cursor: &mut Cursor) -> PResult<Vec<(PValue, Ty)>> {
    let mut params = Vec::new();
    if !cursor.eat('(') {
        return Ok(params);
    }
    loop {
        let value = parse_value(cursor)?;
        cursor.expect(':')?;
        let (word, pos) = cursor.word("a type")?;
        params.push((value, parse_type(&word, pos)?));
        if cursor.eat(')') {
            return Ok(params);
        }
        cursor.expect(',')?;
    }
}

/// Parses one instruction; `word` (at `pos`) is its first word, `start` where the line begins.
fn parse_inst(cursor: &mut Cursor, word: String, pos: Pos, start: Pos) -> PResult<PInst> {
    let mut results = Vec::new();
    let (opcode, op_pos) = if entity_number(&word, "v").is_some() {
        results.push(parse_value(&mut Cursor::new(&word)).map(|(n, _)| (n, pos))?);
        while cursor.eat(',') {
            results.push(parse_value(cursor)?);
        }
        cursor.expect('=')?;
        cursor.word("an opcode")?
    } else {
        (word, pos)
    };
    let mut parts = opcode.split('.');
    let mnemonic = parts.next().unwrap_or_default();
    let suffixes: Vec<&str> = parts.collect();
    let suffix_type = |i: usize| -> PResult<Ty> {
        let word = suffixes.get(i).ok_or_else(|| {
            error_at(
                op_pos,
                format!("`{mnemonic}` needs its result type as a suffix: `{mnemonic}.<type>`"),
            )
        })?;
        parse_type(word, op_pos)
    };
    let no_more_suffixes = |n: usize| -> PResult<()> {
        match suffixes.get(n) {
            Some(extra) => Err(error_at(op_pos, format!("unexpected suffix `.{extra}`"))),
            None => Ok(()),
        }
    };
    let mut inst = PInst {
        op: Op::Jump,
        pos: start,
        results,
        result_types: Vec::new(),
        args: Vec::new(),
        targets: Vec::new(),
        line: 0,
        col: 0,
    };
    let mut explicit: Vec<Ty> = Vec::new();
    match mnemonic {
        "iconst" => {
            explicit.push(suffix_type(0)?);
            no_more_suffixes(1)?;
            let n = cursor.integer("an integer immediate", i64::MIN as i128, u64::MAX as i128)?;
            inst.op = Op::Iconst(n as i64);
        }
        "fconst" => {
            explicit.push(suffix_type(0)?);
            no_more_suffixes(1)?;
            let (token, pos) = cursor.token();
            inst.op = Op::Fconst(parse_float(&token, pos)?);
        }
        "bconst" => {
            no_more_suffixes(0)?;
            let (word, pos) = cursor.word("`true` or `false`")?;
            inst.op = match word.as_str() {
                "true" => Op::Bconst(true),
                "false" => Op::Bconst(false),
                _ => return Err(error_at(pos, "expected `true` or `false`")),
            };
        }
        "icmp" | "fcmp" => {
            let cc = suffixes.first().copied().unwrap_or_default();
            no_more_suffixes(1)?;
            let op = if mnemonic == "icmp" {
                ALL_INTCC
                    .into_iter()
                    .find(|&c| intcc_name(c) == cc)
                    .map(Op::Icmp)
            } else {
                ALL_FLOATCC
                    .into_iter()
                    .find(|&c| floatcc_name(c) == cc)
                    .map(Op::Fcmp)
            };
            inst.op = op.ok_or_else(|| {
                error_at(
                    op_pos,
                    format!("`{mnemonic}` needs a condition code, not `{cc}`"),
                )
            })?;
            parse_operands(cursor, &mut inst, false)?;
        }
        "load" => {
            explicit.push(suffix_type(0)?);
            let readonly = suffixes.get(1) == Some(&"readonly");
            no_more_suffixes(if readonly { 2 } else { 1 })?;
            let offset = parse_operands(cursor, &mut inst, true)?;
            inst.op = Op::Load { offset, readonly };
        }
        "store" => {
            no_more_suffixes(0)?;
            let offset = parse_operands(cursor, &mut inst, true)?;
            inst.op = Op::Store { offset };
        }
        "extractlane" => {
            let lane = suffixes.first().copied().unwrap_or_default();
            no_more_suffixes(1)?;
            let lane = lane.parse::<u8>().map_err(|_| {
                error_at(
                    op_pos,
                    format!("`extractlane` needs a lane number, not `{lane}`"),
                )
            })?;
            inst.op = Op::ExtractLane(lane);
            parse_operands(cursor, &mut inst, false)?;
        }
        "call_rt" => {
            let name = suffixes.first().copied().unwrap_or_default();
            no_more_suffixes(1)?;
            let f = RuntimeFn::from_ir_name(name)
                .ok_or_else(|| error_at(op_pos, format!("unknown runtime function `{name}`")))?;
            inst.op = Op::CallRuntime(f);
            parse_operands(cursor, &mut inst, false)?;
        }
        "stack_slot" => {
            explicit.push(suffix_type(0)?);
            no_more_suffixes(1)?;
            let n = cursor.integer("a size in bytes", 0, u32::MAX as i128)?;
            inst.op = Op::StackSlot(n as u32);
        }
        "parallel_for" => {
            explicit.push(suffix_type(0)?);
            no_more_suffixes(1)?;
            cursor.skip_spaces();
            inst.op = Op::ParallelFor(cursor.name()?);
            inst.args = parse_values_in_parens(cursor)?;
        }
        "call" | "call_catch" => {
            no_more_suffixes(0)?;
            cursor.skip_spaces();
            inst.op = match mnemonic {
                "call" => Op::Call(cursor.name()?),
                _ => Op::CallCatch(cursor.name()?),
            };
            inst.args = parse_values_in_parens(cursor)?;
            if cursor.eat('-') {
                cursor.expect('>')?;
                explicit = parse_types_until(cursor, '@')?;
            }
        }
        "raise" => {
            no_more_suffixes(0)?;
            let (word, pos) = cursor.word("an error id")?;
            let id = entity_number(&word, "error")
                .ok_or_else(|| error_at(pos, format!("expected `errorN`, found `{word}`")))?;
            inst.op = Op::Raise(ErrorId(id));
            cursor.skip_spaces();
            if cursor.peek() == Some('(') {
                inst.args = parse_values_in_parens(cursor)?;
            }
        }
        _ => {
            let op = SIMPLE_OPS
                .iter()
                .find(|op| opcode_name(op) == mnemonic)
                .ok_or_else(|| error_at(op_pos, format!("unknown opcode `{mnemonic}`")))?;
            inst.op = op.clone();
            if result_rule(op) == ResultRule::Explicit {
                explicit.push(suffix_type(0)?);
                no_more_suffixes(1)?;
            } else {
                no_more_suffixes(0)?;
            }
            parse_operands(cursor, &mut inst, false)?;
        }
    }
    inst.result_types = result_types(&inst, explicit, op_pos)?;
    cursor.skip_spaces();
    if cursor.eat('@') {
        inst.line = cursor.u32("a line number")?;
        cursor.expect(':')?;
        inst.col = cursor.u32("a column number")?;
    }
    Ok(inst)
}

/// Parses `v1, v2+8, block3(v4)`-style operands into `inst`; returns the address offset (only
/// allowed on the first operand, when `offset_allowed`).
fn parse_operands(cursor: &mut Cursor, inst: &mut PInst, offset_allowed: bool) -> PResult<i32> {
    let mut offset = 0;
    cursor.skip_spaces();
    if cursor.at_eol() || cursor.peek() == Some('@') {
        return Ok(offset);
    }
    loop {
        let (word, pos) = cursor.word("an operand")?;
        if let Some(block) = entity_number(&word, "block") {
            cursor.skip_spaces();
            let args = if cursor.peek() == Some('(') {
                parse_values_in_parens(cursor)?
            } else {
                vec![]
            };
            inst.targets.push((block, pos, args));
        } else {
            if !inst.targets.is_empty() {
                return Err(error_at(pos, "values must come before branch targets"));
            }
            let value = parse_value(&mut Cursor::new(&word)).map(|(n, _)| (n, pos))?;
            if value.0 > MAX_ENTITY {
                return Err(error_at(pos, "value number is too large"));
            }
            inst.args.push(value);
            if offset_allowed && inst.args.len() == 1 && matches!(cursor.peek(), Some('+' | '-')) {
                offset = cursor.integer("an offset", i32::MIN as i128, i32::MAX as i128)? as i32;
            }
        }
        if !cursor.eat(',') {
            return Ok(offset);
        }
    }
}

/// The result types of `inst` (`None` where they come from an operand whose type is not yet
/// known), checking the number of results written.
fn result_types(inst: &PInst, explicit: Vec<Ty>, pos: Pos) -> PResult<Vec<Option<Ty>>> {
    let name = opcode_name(&inst.op);
    let types: Vec<Option<Ty>> = match result_rule(&inst.op) {
        ResultRule::NoResult => vec![],
        ResultRule::Explicit | ResultRule::CallSignature => {
            explicit.into_iter().map(Some).collect()
        }
        ResultRule::Bool => vec![Some(Ty::Bool)],
        ResultRule::Runtime => match inst.op {
            Op::CallRuntime(f) => vec![Some(abi_type(f.describe().result))],
            _ => vec![],
        },
        rule @ (ResultRule::SameAsArg(_) | ResultRule::CompareOfArg | ResultRule::LaneOfArg) => {
            let i = if let ResultRule::SameAsArg(i) = rule {
                i
            } else {
                0
            };
            if inst.args.len() <= i {
                return Err(error_at(
                    pos,
                    format!("`{name}` needs operand {i} to type its result"),
                ));
            }
            vec![None]
        }
    };
    if types.len() != inst.results.len() {
        return Err(error_at(
            inst.pos,
            format!(
                "`{name}` defines {} result(s), not {}",
                types.len(),
                inst.results.len()
            ),
        ));
    }
    Ok(types)
}

/// Where a value number is defined in the parsed text.
#[derive(Copy, Clone)]
enum PDef {
    Param(usize, u32),
    Result(usize, usize, u32),
}

fn build_function(mut func: Function, blocks: Vec<PBlock>) -> PResult<Function> {
    // Definitions and the types known without looking at operands.
    let mut defs: HashMap<u32, (PDef, Pos)> = HashMap::new();
    let mut types: HashMap<u32, Ty> = HashMap::new();
    let mut block_index: HashMap<u32, usize> = HashMap::new();
    for (b, block) in blocks.iter().enumerate() {
        if block_index.insert(block.number, b).is_some() {
            return Err(error_at(
                block.pos,
                format!("block{} is defined twice", block.number),
            ));
        }
        let mut define = |(v, pos): PValue, def: PDef, ty: Option<Ty>| {
            if defs.insert(v, (def, pos)).is_some() {
                return Err(error_at(pos, format!("v{v} is defined twice")));
            }
            if let Some(ty) = ty {
                types.insert(v, ty);
            }
            Ok(())
        };
        for (i, &(value, ty)) in block.params.iter().enumerate() {
            define(value, PDef::Param(b, i as u32), Some(ty))?;
        }
        for (i, inst) in block.insts.iter().enumerate() {
            for (r, (&value, &ty)) in inst.results.iter().zip(&inst.result_types).enumerate() {
                define(value, PDef::Result(b, i, r as u32), ty)?;
            }
        }
    }
    // Every use refers to a definition, every target to a block.
    for inst in blocks.iter().flat_map(|b| &b.insts) {
        let target_args = inst.targets.iter().flat_map(|t| &t.2);
        for &(v, pos) in inst.args.iter().chain(target_args) {
            if !defs.contains_key(&v) {
                return Err(error_at(pos, format!("v{v} is used but never defined")));
            }
        }
        for &(block, pos, _) in &inst.targets {
            if !block_index.contains_key(&block) {
                return Err(error_at(pos, format!("block{block} is not defined")));
            }
        }
    }
    // Types that follow an operand's, in as many rounds as the chains need.
    loop {
        let mut progress = false;
        let mut unresolved = None;
        for inst in blocks.iter().flat_map(|b| &b.insts) {
            let (rule, Some(&(result, _))) = (result_rule(&inst.op), inst.results.first()) else {
                continue;
            };
            let (i, compare) = match rule {
                ResultRule::SameAsArg(i) => (i, false),
                ResultRule::CompareOfArg => (0, true),
                ResultRule::LaneOfArg => (0, false),
                _ => continue,
            };
            if types.contains_key(&result) {
                continue;
            }
            match types.get(&inst.args[i].0) {
                Some(&ty) => {
                    let ty = match rule {
                        _ if compare => ty.compare_result(),
                        ResultRule::LaneOfArg => ty.lane(),
                        _ => ty,
                    };
                    types.insert(result, ty);
                    progress = true;
                }
                None => unresolved = Some(inst),
            }
        }
        match unresolved {
            None => break,
            Some(inst) if !progress => {
                let message = format!(
                    "cannot infer the type of v{}: it depends on itself through its operands",
                    inst.results[0].0
                );
                return Err(error_at(inst.pos, message));
            }
            Some(_) => {}
        }
    }
    // Arenas, keeping the text's numbers.
    let block_count = blocks
        .iter()
        .map(|b| b.number as usize + 1)
        .max()
        .unwrap_or(0);
    func.blocks = vec![BlockData::default(); block_count];
    let value_count = defs.keys().map(|&v| v as usize + 1).max().unwrap_or(0);
    let mut values: Vec<Option<ValueData>> = vec![None; value_count];
    for (&v, &(def, _)) in &defs {
        let def = match def {
            PDef::Param(b, i) => ValueDef::Param(Block(blocks[b].number), i),
            PDef::Result(b, i, r) => {
                let index = blocks[..b].iter().map(|b| b.insts.len()).sum::<usize>() + i;
                ValueDef::Result(Inst(index as u32), r)
            }
        };
        // Every definition got a type above (an explicit one, or from its operand's).
        let ty = types.get(&v).copied().unwrap_or(Ty::I64);
        values[v as usize] = Some(ValueData { ty, def });
    }
    for block in &blocks {
        let number = Block(block.number);
        func.layout.push(number);
        func.block_mut(number).params = block.params.iter().map(|p| Value(p.0.0)).collect();
        for inst in &block.insts {
            let id = Inst(func.insts.len() as u32);
            let vals = |list: &[PValue]| list.iter().map(|v| Value(v.0)).collect::<Vec<_>>();
            func.insts.push(InstData {
                op: inst.op.clone(),
                args: vals(&inst.args),
                results: vals(&inst.results),
                targets: inst
                    .targets
                    .iter()
                    .map(|t| BlockCall {
                        block: Block(t.0),
                        args: vals(&t.2),
                    })
                    .collect(),
                line: inst.line,
                col: inst.col,
            });
            func.block_mut(number).insts.push(id);
        }
    }
    // Numbers the text skipped: results of one detached instruction.
    let filler = Inst(func.insts.len() as u32);
    let mut filler_results = Vec::new();
    func.values = values
        .into_iter()
        .enumerate()
        .map(|(v, data)| {
            data.unwrap_or_else(|| {
                filler_results.push(Value(v as u32));
                let index = filler_results.len() as u32 - 1;
                ValueData {
                    ty: Ty::I64,
                    def: ValueDef::Result(filler, index),
                }
            })
        })
        .collect();
    if !filler_results.is_empty() {
        func.insts.push(InstData {
            op: Op::Iconst(0),
            args: vec![],
            results: filler_results,
            targets: vec![],
            line: 0,
            col: 0,
        });
    }
    Ok(func)
}
