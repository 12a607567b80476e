// Tokens of PromQL. Three modes because PromQL's lexing is context dependent: inside braces
// every word is a label name, and inside brackets ':' separates range and step instead of
// being part of a metric name.
lexer grammar PromQLLexer;

// Keywords are case-insensitive, as in Prometheus.
AND: A N D;
OR: O R;
UNLESS: U N L E S S;
ATAN2: A T A N '2';
SUM: S U M;
AVG: A V G;
COUNT: C O U N T;
MIN: M I N;
MAX: M A X;
GROUP: G R O U P;
STDDEV: S T D D E V;
STDVAR: S T D V A R;
TOPK: T O P K;
BOTTOMK: B O T T O M K;
COUNT_VALUES: C O U N T '_' V A L U E S;
QUANTILE: Q U A N T I L E;
LIMITK: L I M I T K;
LIMIT_RATIO: L I M I T '_' R A T I O;
OFFSET: O F F S E T;
BY: B Y;
WITHOUT: W I T H O U T;
ON: O N;
IGNORING: I G N O R I N G;
GROUP_LEFT: G R O U P '_' L E F T;
GROUP_RIGHT: G R O U P '_' R I G H T;
BOOL: B O O L;
ANCHORED: A N C H O R E D;
SMOOTHED: S M O O T H E D;
FILL: F I L L;
FILL_LEFT: F I L L '_' L E F T;
FILL_RIGHT: F I L L '_' R I G H T;

NUMBER: NUM_BODY;
DURATION: DUR_BODY;
STRING: STR_BODY;

IDENTIFIER: [a-zA-Z_] [a-zA-Z0-9_]*;
METRIC_IDENTIFIER: [a-zA-Z_:] [a-zA-Z0-9_:]*;

LEFT_PAREN: '(';
RIGHT_PAREN: ')';
LEFT_BRACE: '{' -> pushMode(BRACES);
RIGHT_BRACE: '}';
LEFT_BRACKET: '[' -> pushMode(BRACKETS);
RIGHT_BRACKET: ']';
COMMA: ',';
COLON: ':';
AT: '@';
ADD: '+';
SUB: '-';
MUL: '*';
DIV: '/';
MOD: '%';
POW: '^';
TRIM_UPPER: '</';
TRIM_LOWER: '>/';
EQLC: '==';
NEQ: '!=';
GTE: '>=';
LTE: '<=';
GTR: '>';
LSS: '<';
EQL: '=';
EQL_REGEX: '=~';
NEQ_REGEX: '!~';

COMMENT: '#' ~[\r\n]* -> skip;
WS: [ \t\r\n]+ -> skip;
// Anything else becomes one token the parser reports as an unexpected character.
UNEXPECTED: .;

mode BRACES;
B_IDENTIFIER: [a-zA-Z_] [a-zA-Z0-9_]* -> type(IDENTIFIER);
B_STRING: STR_BODY -> type(STRING);
B_COMMA: ',' -> type(COMMA);
B_EQL: '=' -> type(EQL);
B_NEQ: '!=' -> type(NEQ);
B_EQL_REGEX: '=~' -> type(EQL_REGEX);
B_NEQ_REGEX: '!~' -> type(NEQ_REGEX);
B_RIGHT_BRACE: '}' -> type(RIGHT_BRACE), popMode;
B_COMMENT: '#' ~[\r\n]* -> skip;
B_WS: [ \t\r\n]+ -> skip;
B_UNEXPECTED: . -> type(UNEXPECTED);

mode BRACKETS;
K_NUMBER: NUM_BODY -> type(NUMBER);
K_DURATION: DUR_BODY -> type(DURATION);
K_IDENTIFIER: [a-zA-Z_] [a-zA-Z0-9_]* -> type(IDENTIFIER);
K_LEFT_PAREN: '(' -> type(LEFT_PAREN);
K_RIGHT_PAREN: ')' -> type(RIGHT_PAREN);
K_COMMA: ',' -> type(COMMA);
K_COLON: ':' -> type(COLON);
K_ADD: '+' -> type(ADD);
K_SUB: '-' -> type(SUB);
K_MUL: '*' -> type(MUL);
K_DIV: '/' -> type(DIV);
K_MOD: '%' -> type(MOD);
K_POW: '^' -> type(POW);
K_RIGHT_BRACKET: ']' -> type(RIGHT_BRACKET), popMode;
K_COMMENT: '#' ~[\r\n]* -> skip;
K_WS: [ \t\r\n]+ -> skip;
K_UNEXPECTED: . -> type(UNEXPECTED);

fragment NUM_BODY
    : [0-9]+ ('.' [0-9]*)? EXPONENT?
    | '.' [0-9]+ EXPONENT?
    | '0' [xX] [0-9a-fA-F]+
    | I N F
    | N A N
    ;
fragment EXPONENT: [eE] [+-]? [0-9]+;
fragment DUR_BODY: ([0-9]+ ('ms' | [smhdwy]))+;
fragment STR_BODY
    : '"' ('\\' ~[\n] | ~["\\\n])* '"'
    | '\'' ('\\' ~[\n] | ~['\\\n])* '\''
    | '`' ~[`]* '`'
    ;

fragment A: [aA]; fragment B: [bB]; fragment C: [cC]; fragment D: [dD]; fragment E: [eE];
fragment F: [fF]; fragment G: [gG]; fragment H: [hH]; fragment I: [iI]; fragment K: [kK];
fragment L: [lL]; fragment M: [mM]; fragment N: [nN]; fragment O: [oO]; fragment P: [pP];
fragment Q: [qQ]; fragment R: [rR]; fragment S: [sS]; fragment T: [tT]; fragment U: [uU];
fragment V: [vV]; fragment W: [wW]; fragment X: [xX]; fragment Y: [yY];
