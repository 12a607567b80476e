// PromQL syntax (Prometheus 3.x). Semantics, type checks and feature gates live in the AST
// builder and checker; this grammar only accepts the shapes.
parser grammar PromQLParser;

options { tokenVocab = PromQLLexer; }

expression: expr? EOF;

// Series selectors (`match[]`), Prometheus's START_METRIC_SELECTOR: one vector selector and
// nothing else, without the expression type checks.
metricSelector: (metricName labelMatchers? | labelMatchers) EOF;

// Earlier alternatives bind tighter. Postfix modifiers bind tightest; unary minus sits
// between '^' and '*' as in Prometheus.
expr
    : expr LEFT_BRACKET rangeSpec RIGHT_BRACKET                 # rangeExpr
    | expr AT atValue                                           # atExpr
    | expr OFFSET offsetValue                                   # offsetExpr
    | expr (ANCHORED | SMOOTHED)                                # extendedExpr
    | <assoc=right> expr op=POW binModifiers expr                  # binaryExpr
    | (ADD | SUB) expr                                          # unaryExpr
    | expr op=(MUL | DIV | MOD | ATAN2 | TRIM_UPPER | TRIM_LOWER) binModifiers expr          # binaryExpr
    | expr op=(ADD | SUB) binModifiers expr                        # binaryExpr
    | expr op=(EQLC | NEQ | GTR | LSS | GTE | LTE) binModifiers expr # binaryExpr
    | expr op=(AND | UNLESS) binModifiers expr                     # binaryExpr
    | expr op=OR binModifiers expr                                 # binaryExpr
    | primary                                                   # primaryExpr
    ;

primary
    : NUMBER                                                    # numberLiteral
    | DURATION                                                  # durationLiteral
    | STRING                                                    # stringLiteral
    | LEFT_PAREN expr RIGHT_PAREN                               # parenExpr
    | aggregateOp (grouping functionArgs | functionArgs grouping?) # aggregation
    | IDENTIFIER functionArgs                                   # functionCall
    | metricName labelMatchers?                                 # namedSelector
    | labelMatchers                                             # anonymousSelector
    ;

functionArgs: LEFT_PAREN (expr (COMMA expr)* COMMA?)? RIGHT_PAREN;

grouping: (BY | WITHOUT) groupingLabels;
groupingLabels: LEFT_PAREN (groupingLabel (COMMA groupingLabel)* COMMA?)? RIGHT_PAREN;
groupingLabel: labelWord | STRING;

binModifiers: BOOL? (onOrIgnoring groupModifier?)? fillModifier*;
onOrIgnoring: (ON | IGNORING) groupingLabels;
groupModifier: (GROUP_LEFT | GROUP_RIGHT) groupingLabels?;
fillModifier: (FILL | FILL_LEFT | FILL_RIGHT) LEFT_PAREN (ADD | SUB)? NUMBER RIGHT_PAREN;

labelMatchers: LEFT_BRACE (labelMatcher (COMMA labelMatcher)* COMMA?)? RIGHT_BRACE;
labelMatcher
    : (IDENTIFIER | STRING) matchOp STRING                      # matcherWithOp
    | STRING                                                    # quotedMetricName
    ;
matchOp: EQL | NEQ | EQL_REGEX | NEQ_REGEX;

atValue
    : (ADD | SUB)? (NUMBER | DURATION)                          # atNumber
    | IDENTIFIER LEFT_PAREN RIGHT_PAREN                         # atPreprocessor
    ;

offsetValue: (ADD | SUB)? durationAtom;

rangeSpec: durationExpr (COLON durationExpr?)?;

// Duration arithmetic ('[5m+1m]', 'offset (1h/2)'); numbers are seconds.
durationExpr
    : <assoc=right> durationExpr op=POW durationExpr               # durBinary
    | (ADD | SUB) durationExpr                                  # durUnary
    | durationExpr op=(MUL | DIV | MOD) durationExpr               # durBinary
    | durationExpr op=(ADD | SUB) durationExpr                     # durBinary
    | durationAtom                                              # durAtom
    ;

durationAtom
    : NUMBER                                                    # durNumber
    | DURATION                                                  # durLiteral
    | LEFT_PAREN durationExpr RIGHT_PAREN                       # durParen
    | IDENTIFIER LEFT_PAREN (durationExpr (COMMA durationExpr)*)? RIGHT_PAREN # durCall
    ;

aggregateOp
    : SUM | AVG | COUNT | MIN | MAX | GROUP | STDDEV | STDVAR | TOPK | BOTTOMK
    | COUNT_VALUES | QUANTILE | LIMITK | LIMIT_RATIO
    ;

// Words that may name a metric although the lexer sees a keyword.
metricName
    : IDENTIFIER | METRIC_IDENTIFIER | aggregateOp | AND | OR | UNLESS | BY | WITHOUT
    | OFFSET | ANCHORED | SMOOTHED | FILL | FILL_LEFT | FILL_RIGHT
    ;

// Words that may name a label in grouping clauses.
labelWord
    : metricName | BOOL | ON | IGNORING | GROUP_LEFT | GROUP_RIGHT | ATAN2
    ;
