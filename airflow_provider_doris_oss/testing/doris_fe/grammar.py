"""A strict recursive-descent grammar for the Doris statements the emulator handles itself.

Written from Doris's Nereids grammar as the reference describes it: clause order, keywords,
quoting and property lists. Anything out of shape raises a Doris-style syntax error.
Expressions (SET, WHERE, filters) are kept as source text for the engine to evaluate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from airflow_provider_doris_oss.testing.doris_fe.lexer import (
    EOF,
    IDENT,
    NUMBER,
    OP,
    QIDENT,
    STRING,
    Token,
    syntax_error,
    tokenize,
)

# Doris keywords outside the Nereids grammar's nonReserved list: unquoted, they are not identifiers.
RESERVED = frozenset(
    [
        "ALL",
        "ALTER",
        "AND",
        "AS",
        "ASC",
        "BETWEEN",
        "BY",
        "CANCEL",
        "CASE",
        "CAST",
        "CREATE",
        "CROSS",
        "DELETE",
        "DESC",
        "DISTINCT",
        "DROP",
        "ELSE",
        "EXISTS",
        "EXPORT",
        "FALSE",
        "FOR",
        "FROM",
        "FULL",
        "GROUP",
        "HAVING",
        "IN",
        "INFILE",
        "INNER",
        "INSERT",
        "INTO",
        "IS",
        "JOIN",
        "KEY",
        "LEFT",
        "LIKE",
        "LIMIT",
        "LOAD",
        "NOT",
        "NULL",
        "ON",
        "OR",
        "ORDER",
        "OUTER",
        "OUTFILE",
        "PARTITION",
        "RIGHT",
        "SELECT",
        "SET",
        "SHOW",
        "TABLE",
        "THEN",
        "TO",
        "TRUE",
        "UNION",
        "UPDATE",
        "USE",
        "VALUES",
        "WHEN",
        "WHERE",
        "WITH",
    ]
)


@dataclass
class DataDesc:
    """One data description of a Broker Load."""

    merge_type: str = "APPEND"
    uris: list[str] = field(default_factory=list)
    table: str = ""
    partitions: list[str] = field(default_factory=list)
    temporary_partition: bool = False
    column_separator: str | None = None
    line_delimiter: str | None = None
    format: str | None = None
    compress_type: str | None = None
    columns: list[str] | None = None
    columns_from_path: list[str] = field(default_factory=list)
    set_exprs: list[tuple[str, str]] = field(default_factory=list)
    preceding_filter: str | None = None
    where: str | None = None
    delete_on: str | None = None
    order_by: str | None = None
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class LoadStmt:
    """LOAD LABEL ... WITH S3 (...) PROPERTIES (...)."""

    db: str | None
    label: str
    descs: list[DataDesc]
    storage_kind: str
    storage_name: str | None
    storage_props: dict[str, str]
    properties: dict[str, str]
    comment: str | None


@dataclass
class Condition:
    """One ``key = value`` / ``key LIKE value`` condition of SHOW or CANCEL."""

    key: str
    op: str
    value: str


@dataclass
class ShowJobsStmt:
    """SHOW LOAD / SHOW EXPORT."""

    kind: str
    db: str | None
    conditions: list[Condition]
    order_by: list[tuple[str, bool]]
    limit: int | None
    offset: int


@dataclass
class ShowLoadWarningsStmt:
    """SHOW LOAD WARNINGS ON "url"."""

    url: str


@dataclass
class CancelStmt:
    """CANCEL LOAD / CANCEL EXPORT."""

    kind: str
    db: str | None
    conditions: list[Condition]
    connector: str


@dataclass
class ExportStmt:
    """EXPORT TABLE ... TO ... PROPERTIES (...) WITH S3 (...)."""

    db: str | None
    table: str
    partitions: list[str]
    where: str | None
    path: str
    properties: dict[str, str]
    storage_kind: str
    storage_name: str | None
    storage_props: dict[str, str]


@dataclass
class OutfileStmt:
    """<query> INTO OUTFILE "path" [FORMAT AS fmt] [PROPERTIES (...)]."""

    query: str
    path: str
    format: str
    properties: dict[str, str]
    tvfs: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class TvfQueryStmt:
    """A SELECT (or INSERT INTO ... SELECT) reading from the S3 table function."""

    query: str
    tvfs: dict[str, dict[str, str]]
    insert_db: str | None = None
    insert_table: str | None = None
    partitions: list[str] = field(default_factory=list)
    label: str | None = None
    columns: list[str] | None = None
    overwrite: bool = False  # INSERT OVERWRITE TABLE


@dataclass
class DescFunctionStmt:
    """DESC FUNCTION s3(...): the schema the table function infers."""

    params: dict[str, str]


@dataclass
class CreateCatalogStmt:
    name: str
    if_not_exists: bool
    resource: str | None
    comment: str | None
    properties: dict[str, str]


@dataclass
class DropCatalogStmt:
    name: str
    if_exists: bool


@dataclass
class ShowCatalogsStmt:
    like: str | None


@dataclass
class RefreshCatalogStmt:
    name: str
    properties: dict[str, str]


Statement = (
    LoadStmt
    | ShowJobsStmt
    | ShowLoadWarningsStmt
    | CancelStmt
    | ExportStmt
    | OutfileStmt
    | TvfQueryStmt
    | DescFunctionStmt
    | CreateCatalogStmt
    | DropCatalogStmt
    | ShowCatalogsStmt
    | RefreshCatalogStmt
)

TVF_PLACEHOLDER = "__doris_s3_tvf_{}"


class Parser:
    """A cursor over the tokens of one statement with Doris-style syntax errors."""

    def __init__(self, sql: str, tokens: list[Token] | None = None) -> None:
        self.sql = sql
        self.tokens = tokens if tokens is not None else tokenize(sql)
        self.pos = 0

    # -- cursor helpers ---------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != EOF:
            self.pos += 1
        return token

    def error(self, expecting: str | None = None) -> Exception:
        return syntax_error(self.sql, self.tok, expecting)

    def accept_kw(self, *words: str) -> bool:
        if self.tok.is_kw(*words):
            self.advance()
            return True
        return False

    def expect_kw(self, *words: str) -> str:
        if not self.tok.is_kw(*words):
            raise self.error(" ".join(f"'{w}'" for w in words) if len(words) == 1 else _set(words))
        return self.advance().value.upper()

    def accept_op(self, op: str) -> bool:
        if self.tok.is_op(op):
            self.advance()
            return True
        return False

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            raise self.error(f"'{op}'")

    def string(self) -> str:
        if self.tok.kind != STRING:
            raise self.error("STRING_LITERAL")
        return self.advance().value

    def identifier(self) -> str:
        token = self.tok
        if token.kind == QIDENT or (token.kind == IDENT and token.value.upper() not in RESERVED):
            self.advance()
            return token.value
        raise self.error("{IDENTIFIER, BACKQUOTED_IDENTIFIER}")

    def multipart(self) -> list[str]:
        parts = [self.identifier()]
        while self.tok.is_op("."):
            self.advance()
            parts.append(self.identifier())
        return parts

    def identifier_list(self) -> list[str]:
        self.expect_op("(")
        names = [self.identifier()]
        while self.accept_op(","):
            names.append(self.identifier())
        self.expect_op(")")
        return names

    def property_list(self) -> dict[str, str]:
        """``( "k" = "v", ... )``: keys and values as string literals or identifiers."""
        self.expect_op("(")
        props: dict[str, str] = {}
        if self.tok.is_op(")"):
            self.advance()
            return props
        while True:
            key = self._property_atom()
            self.expect_op("=")
            props[key] = self._property_atom()
            if self.accept_op(")"):
                return props
            if not self.accept_op(","):
                raise self.error("{')', ','}")

    def _property_atom(self) -> str:
        token = self.tok
        if token.kind in (STRING, QIDENT, NUMBER) or (token.kind == IDENT):
            self.advance()
            return token.value
        raise self.error("STRING_LITERAL")

    def end(self) -> None:
        self.accept_op(";")
        if self.tok.kind != EOF:
            raise self.error("<EOF>")

    def capture_expr(self, stops: tuple[str, ...], stop_ops: tuple[str, ...] = ()) -> str:
        """The source text of an expression, up to a stop keyword or operator at depth 0."""
        start = self.tok.start
        depth = 0
        first = self.pos
        while True:
            token = self.tok
            if token.kind == EOF:
                break
            if depth == 0 and (token.is_kw(*stops) or (token.kind == OP and token.value in stop_ops)):
                break
            if token.is_op("("):
                depth += 1
            elif token.is_op(")"):
                if depth == 0:
                    break
                depth -= 1
            self.advance()
        if self.pos == first:
            raise self.error("expression")
        return self.sql[start : self.tokens[self.pos - 1].end]


def _set(words: tuple[str, ...]) -> str:
    return "{" + ", ".join(f"'{w}'" for w in words) + "}"


# ---------------------------------------------------------------------------------------------
# Statement recognition
# ---------------------------------------------------------------------------------------------


def parse(sql: str) -> Statement | None:
    """Parse ``sql`` if it is one of the emulator's Doris statements; None if it is not."""
    tokens = tokenize(sql)
    p = Parser(sql, tokens)
    first = p.tok
    if first.is_kw("LOAD") and p.peek().is_kw("LABEL"):
        return _load(p)
    if first.is_kw("SHOW"):
        nxt = p.peek()
        if nxt.is_kw("LOAD"):
            return _show_load(p)
        if nxt.is_kw("EXPORT"):
            return _show_jobs(p, "EXPORT")
        if nxt.is_kw("CATALOGS"):
            return _show_catalogs(p)
        return None
    if first.is_kw("CANCEL") and p.peek().is_kw("LOAD", "EXPORT"):
        return _cancel(p)
    if first.is_kw("EXPORT"):
        return _export(p)
    if first.is_kw("CREATE") and p.peek().is_kw("CATALOG"):
        return _create_catalog(p)
    if first.is_kw("DROP") and p.peek().is_kw("CATALOG"):
        return _drop_catalog(p)
    if first.is_kw("REFRESH") and p.peek().is_kw("CATALOG"):
        return _refresh_catalog(p)
    if first.is_kw("DESC", "DESCRIBE") and p.peek().is_kw("FUNCTION"):
        return _desc_function(p)
    outfile = _find_outfile(tokens)
    if outfile is not None:
        return _outfile(p, outfile)
    if first.is_kw("SELECT", "WITH", "INSERT") or first.is_op("("):
        tvfs = _find_tvfs(tokens)
        if tvfs:
            return _tvf_query(p, tvfs)
    return None


def _find_outfile(tokens: list[Token]) -> int | None:
    depth = 0
    for i, token in enumerate(tokens[:-1]):
        if token.is_op("("):
            depth += 1
        elif token.is_op(")"):
            depth -= 1
        elif token.is_kw("INTO") and tokens[i + 1].is_kw("OUTFILE"):
            return i
    return None


def _find_tvfs(tokens: list[Token]) -> list[int]:
    found = []
    for i in range(1, len(tokens) - 1):
        token = tokens[i]
        if (
            token.kind == IDENT
            and token.value.lower() == "s3"
            and tokens[i + 1].is_op("(")
            and (tokens[i - 1].is_kw("FROM", "JOIN") or tokens[i - 1].is_op(","))
        ):
            found.append(i)
    return found


# ---------------------------------------------------------------------------------------------
# LOAD
# ---------------------------------------------------------------------------------------------


def _load(p: Parser) -> LoadStmt:
    p.expect_kw("LOAD")
    p.expect_kw("LABEL")
    parts = p.multipart()
    if len(parts) > 2:
        raise syntax_error(p.sql, p.tokens[p.pos - 1], "'('")
    db, label = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
    p.expect_op("(")
    descs = [_data_desc(p)]
    while p.accept_op(","):
        descs.append(_data_desc(p))
    p.expect_op(")")
    kind, name, storage = _with_storage(p) if p.tok.is_kw("WITH") else ("NONE", None, dict[str, str]())
    properties = p.property_list() if p.accept_kw("PROPERTIES") else {}
    comment = p.string() if p.accept_kw("COMMENT") else None
    p.end()
    return LoadStmt(db, label, descs, kind, name, storage, properties, comment)


def _with_storage(p: Parser) -> tuple[str, str | None, dict[str, str]]:
    p.expect_kw("WITH")
    kind = p.expect_kw("S3", "HDFS", "BROKER", "RESOURCE", "LOCAL")
    name = None
    if kind in ("BROKER", "RESOURCE"):
        name = p.identifier() if p.tok.kind != STRING else p.string()
        props = p.property_list() if p.tok.is_op("(") else {}
        return kind, name, props
    return kind, name, p.property_list()


# Clause keywords of a data description: an expression ends at any of them, so a clause out of
# order surfaces as a syntax error instead of being swallowed into the expression.
_CLAUSE_WORDS = (
    "PRECEDING", "WHERE", "DELETE", "ORDER", "PROPERTIES", "SET", "COLUMNS", "FORMAT", "LINES",
    "COMPRESS_TYPE", "PARTITION", "TEMPORARY", "DATA", "INTO", "WITH", "MERGE", "APPEND", "NEGATIVE",
)  # fmt: skip


def _data_desc(p: Parser) -> DataDesc:
    d = DataDesc()
    if p.tok.is_kw("WITH") and p.peek().is_kw("MERGE", "APPEND", "DELETE"):
        p.advance()
        d.merge_type = p.advance().value.upper()
    elif p.tok.is_kw("MERGE", "APPEND", "DELETE"):
        d.merge_type = p.advance().value.upper()
    p.expect_kw("DATA")
    p.expect_kw("INFILE")
    p.expect_op("(")
    d.uris.append(p.string())
    while p.accept_op(","):
        d.uris.append(p.string())
    p.expect_op(")")
    p.expect_kw("INTO")
    p.expect_kw("TABLE")
    d.table = p.identifier()
    if p.tok.is_op("."):
        raise p.error("{<EOF>, ';', ')', ',', 'PARTITION', 'TEMPORARY', 'COLUMNS', 'LINES', 'FORMAT', '('}")
    if p.tok.is_kw("TEMPORARY") and p.peek().is_kw("PARTITION"):
        p.advance()
        d.temporary_partition = True
    if p.accept_kw("PARTITION", "PARTITIONS"):
        d.partitions = p.identifier_list()
    if p.tok.is_kw("COLUMNS") and p.peek().is_kw("TERMINATED"):
        p.advance()
        p.advance()
        p.expect_kw("BY")
        d.column_separator = p.string()
    if p.accept_kw("LINES"):
        p.expect_kw("TERMINATED")
        p.expect_kw("BY")
        d.line_delimiter = p.string()
    if p.accept_kw("FORMAT"):
        p.expect_kw("AS")
        d.format = p.advance().value if p.tok.kind in (STRING, IDENT) else p.string()
    if p.accept_kw("COMPRESS_TYPE"):
        p.expect_kw("AS")
        d.compress_type = p.advance().value if p.tok.kind in (STRING, IDENT) else p.string()
    if p.tok.is_op("("):
        d.columns = p.identifier_list()
    if p.tok.is_kw("COLUMNS") and p.peek().is_kw("FROM"):
        p.advance()
        p.advance()
        p.expect_kw("PATH")
        p.expect_kw("AS")
        d.columns_from_path = p.identifier_list()
    if p.accept_kw("SET"):
        p.expect_op("(")
        while True:
            column = p.identifier()
            p.expect_op("=")
            d.set_exprs.append((column, p.capture_expr(_CLAUSE_WORDS, (",",))))
            if p.accept_op(")"):
                break
            if not p.accept_op(","):
                raise p.error("{')', ','}")
    if p.accept_kw("PRECEDING"):
        p.expect_kw("FILTER")
        d.preceding_filter = p.capture_expr(_CLAUSE_WORDS, (",",))
    if p.accept_kw("WHERE"):
        d.where = p.capture_expr(_CLAUSE_WORDS, (",",))
    if p.tok.is_kw("DELETE") and p.peek().is_kw("ON"):
        p.advance()
        p.advance()
        d.delete_on = p.capture_expr(_CLAUSE_WORDS, (",",))
    if p.accept_kw("ORDER"):
        p.expect_kw("BY")
        d.order_by = p.identifier()
    if p.accept_kw("PROPERTIES"):
        d.properties = p.property_list()
    if not (p.tok.is_op(")") or p.tok.is_op(",")):
        raise p.error("{')', ','}")
    return d


# ---------------------------------------------------------------------------------------------
# SHOW / CANCEL
# ---------------------------------------------------------------------------------------------


def _show_load(p: Parser) -> ShowJobsStmt | ShowLoadWarningsStmt:
    if p.peek(2).is_kw("WARNINGS"):
        p.advance()
        p.advance()
        p.advance()
        p.expect_kw("ON")
        url = p.string()
        p.end()
        return ShowLoadWarningsStmt(url)
    return _show_jobs(p, "LOAD")


def _from_db(p: Parser) -> str | None:
    if p.accept_kw("FROM", "IN"):
        return p.identifier()
    return None


def _conditions(p: Parser) -> tuple[list[Condition], str]:
    conditions = [_condition(p)]
    connector = "AND"
    while p.tok.is_kw("AND", "OR"):
        connector = p.advance().value.upper()
        conditions.append(_condition(p))
    return conditions, connector


def _condition(p: Parser) -> Condition:
    token = p.tok
    if token.kind not in (IDENT, QIDENT):
        raise p.error("{IDENTIFIER}")
    key = p.advance().value.upper()
    if p.accept_op("="):
        op = "="
    elif p.accept_kw("LIKE"):
        op = "LIKE"
    else:
        raise p.error("{'=', 'LIKE'}")
    if p.tok.kind in (STRING, NUMBER):
        value = p.advance().value
    else:
        raise p.error("STRING_LITERAL")
    return Condition(key, op, value)


def _show_jobs(p: Parser, kind: str) -> ShowJobsStmt:
    p.expect_kw("SHOW")
    p.expect_kw(kind)
    db = _from_db(p)
    conditions: list[Condition] = []
    if p.accept_kw("WHERE"):
        conditions, connector = _conditions(p)
        if connector == "OR":
            raise _where_error(kind)
    order_by: list[tuple[str, bool]] = []
    if p.accept_kw("ORDER"):
        p.expect_kw("BY")
        while True:
            column = p.identifier()
            desc = False
            if p.tok.is_kw("ASC", "DESC"):
                desc = p.advance().value.upper() == "DESC"
            order_by.append((column, desc))
            if not p.accept_op(","):
                break
    limit, offset = None, 0
    if p.accept_kw("LIMIT"):
        first = _int(p)
        if p.accept_op(","):
            offset, limit = first, _int(p)
        else:
            limit = first
            if p.accept_kw("OFFSET"):
                offset = _int(p)
    p.end()
    return ShowJobsStmt(kind, db, conditions, order_by, limit, offset)


def _int(p: Parser) -> int:
    if p.tok.kind != NUMBER or not p.tok.value.isdigit():
        raise p.error("INTEGER_VALUE")
    return int(p.advance().value)


def _where_error(kind: str) -> Exception:
    from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

    if kind == "EXPORT":
        return DorisError(
            "errCode = 2, detailMessage = Where clause should looks like below: "
            ' ID = $your_job_id, or STATE = "PENDING|EXPORTING|FINISHED|CANCELLED", '
            'or LABEL = "xxx" or LABEL like "xxx%"'
        )
    return DorisError(
        'errCode = 2, detailMessage = Where clause should looks like: LABEL = "your_load_label",'
        ' or LABEL LIKE "matcher",  or STATE = "PENDING|ETL|LOADING|FINISHED|CANCELLED", '
        "or compound predicate with operator AND"
    )


def _cancel(p: Parser) -> CancelStmt:
    p.expect_kw("CANCEL")
    kind = p.expect_kw("LOAD", "EXPORT")
    db = _from_db(p)
    conditions: list[Condition] = []
    connector = "AND"
    if p.accept_kw("WHERE"):
        conditions, connector = _conditions(p)
    p.end()
    return CancelStmt(kind, db, conditions, connector)


# ---------------------------------------------------------------------------------------------
# EXPORT
# ---------------------------------------------------------------------------------------------


def _export(p: Parser) -> ExportStmt:
    p.expect_kw("EXPORT")
    p.expect_kw("TABLE")
    parts = p.multipart()
    if len(parts) > 2:
        parts = parts[-2:]
    db, table = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
    partitions: list[str] = []
    if p.accept_kw("PARTITION", "PARTITIONS"):
        partitions = p.identifier_list()
    where = None
    if p.accept_kw("WHERE"):
        where = p.capture_expr(("TO",))
    p.expect_kw("TO")
    path = p.string()
    properties = p.property_list() if p.accept_kw("PROPERTIES") else {}
    if p.tok.kind == EOF or p.tok.is_op(";"):
        kind, name, storage = "NONE", None, dict[str, str]()
    else:
        kind, name, storage = _with_storage(p)
    p.end()
    return ExportStmt(db, table, partitions, where, path, properties, kind, name, storage)


# ---------------------------------------------------------------------------------------------
# OUTFILE and the S3 table function
# ---------------------------------------------------------------------------------------------


def _outfile(p: Parser, index: int) -> OutfileStmt:
    query = p.sql[: p.tokens[index].start].rstrip()
    if not query:
        raise syntax_error(p.sql, p.tokens[index], "{'SELECT', 'WITH', '('}")
    p.pos = index + 2
    path = p.string()
    fmt = "csv"
    if p.accept_kw("FORMAT"):
        p.expect_kw("AS")
        if p.tok.kind != IDENT:
            raise p.error("IDENTIFIER")
        fmt = p.advance().value
    properties = p.property_list() if p.accept_kw("PROPERTIES") else {}
    p.end()
    stmt = OutfileStmt(query, path, fmt, properties)
    inner = [i for i in _find_tvfs(p.tokens) if i < index]
    if inner:
        rewritten = _tvf_query(Parser(query, [*p.tokens[:index], p.tokens[-1]]), inner)
        stmt.query, stmt.tvfs = rewritten.query, rewritten.tvfs
    return stmt


def _tvf_query(p: Parser, indexes: list[int]) -> TvfQueryStmt:
    stmt = TvfQueryStmt("", {})
    head_end = 0
    if p.tok.is_kw("INSERT"):
        head_end = _insert_head(p, stmt)
    pieces: list[str] = []
    cursor = head_end
    for n, index in enumerate(indexes):
        p.pos = index + 1
        start = p.tokens[index].start
        props = p.property_list()
        name = TVF_PLACEHOLDER.format(n)
        stmt.tvfs[name] = props
        pieces.append(p.sql[cursor:start])
        pieces.append(name)
        cursor = p.tokens[p.pos - 1].end
    pieces.append(p.sql[cursor:])
    stmt.query = "".join(pieces).strip().rstrip(";").strip()
    return stmt


def _desc_function(p: Parser) -> DescFunctionStmt | None:
    p.advance()
    p.advance()
    if not (p.tok.kind == IDENT and p.tok.value.lower() == "s3" and p.peek().is_op("(")):
        return None
    p.advance()
    params = p.property_list()
    p.end()
    return DescFunctionStmt(params)


def _insert_head(p: Parser, stmt: TvfQueryStmt) -> int:
    """Parse ``INSERT {INTO | OVERWRITE TABLE} t [PARTITION (.. | *)] [WITH LABEL l] [(cols)]``.

    Returns where the query starts.
    """
    p.expect_kw("INSERT")
    if p.accept_kw("OVERWRITE"):
        p.expect_kw("TABLE")
        stmt.overwrite = True
    else:
        p.expect_kw("INTO")
    parts = p.multipart()
    stmt.insert_db, stmt.insert_table = (parts[-2], parts[-1]) if len(parts) >= 2 else (None, parts[0])
    if p.accept_kw("TEMPORARY"):
        p.expect_kw("PARTITION")
        stmt.partitions = p.identifier_list()
    elif p.accept_kw("PARTITION", "PARTITIONS"):
        if p.tok.is_op("(") and p.peek().is_op("*"):
            p.advance()
            p.advance()
            p.expect_op(")")
            stmt.partitions = ["*"]
        else:
            from airflow_provider_doris_oss.testing.doris_fe.ddl import named_partitions

            stmt.partitions = named_partitions(p.identifier_list(), stmt.insert_table)
    if p.accept_kw("WITH"):
        p.expect_kw("LABEL")
        stmt.label = p.identifier()
    if p.tok.is_op("(") and not p.peek().is_kw("SELECT", "WITH"):
        stmt.columns = p.identifier_list()
    if not (p.tok.is_kw("SELECT", "WITH") or p.tok.is_op("(")):
        raise p.error("{'(', 'SELECT', 'WITH'}")
    return p.tok.start


# ---------------------------------------------------------------------------------------------
# Catalogs
# ---------------------------------------------------------------------------------------------


def _create_catalog(p: Parser) -> CreateCatalogStmt:
    p.expect_kw("CREATE")
    p.expect_kw("CATALOG")
    if_not_exists = False
    if p.accept_kw("IF"):
        p.expect_kw("NOT")
        p.expect_kw("EXISTS")
        if_not_exists = True
    name = p.identifier()
    resource = None
    if p.accept_kw("WITH"):
        p.expect_kw("RESOURCE")
        resource = p.identifier()
    comment = p.string() if p.accept_kw("COMMENT") else None
    properties = p.property_list() if p.accept_kw("PROPERTIES") else {}
    p.end()
    return CreateCatalogStmt(name, if_not_exists, resource, comment, properties)


def _drop_catalog(p: Parser) -> DropCatalogStmt:
    p.expect_kw("DROP")
    p.expect_kw("CATALOG")
    if_exists = False
    if p.accept_kw("IF"):
        p.expect_kw("EXISTS")
        if_exists = True
    name = p.identifier()
    p.end()
    return DropCatalogStmt(name, if_exists)


def _show_catalogs(p: Parser) -> ShowCatalogsStmt:
    p.expect_kw("SHOW")
    p.expect_kw("CATALOGS")
    like = p.string() if p.accept_kw("LIKE") else None
    p.end()
    return ShowCatalogsStmt(like)


def _refresh_catalog(p: Parser) -> RefreshCatalogStmt:
    p.expect_kw("REFRESH")
    p.expect_kw("CATALOG")
    name = p.identifier()
    properties = p.property_list() if p.accept_kw("PROPERTIES") else {}
    p.end()
    return RefreshCatalogStmt(name, properties)


__all__ = [
    "QIDENT",
    "CancelStmt",
    "Condition",
    "CreateCatalogStmt",
    "DataDesc",
    "DescFunctionStmt",
    "DropCatalogStmt",
    "ExportStmt",
    "LoadStmt",
    "OutfileStmt",
    "RefreshCatalogStmt",
    "ShowCatalogsStmt",
    "ShowJobsStmt",
    "ShowLoadWarningsStmt",
    "Statement",
    "TvfQueryStmt",
    "parse",
]
