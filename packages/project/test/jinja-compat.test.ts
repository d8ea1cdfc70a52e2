import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { loadProject, type Project, relationOf, renderModel, type Target } from "@almanac/project";
import { TemplateEnvironment } from "../src/template-environment.js";
import type { MacroFile } from "../src/types.js";
import { fixture, renderScope } from "./fixtures.js";

// Every expected output in the Jinja tables below is what Jinja2 3.1 (with the `do`
// extension, as dbt enables it) renders for the same template.

const target: Target = { name: "dev", schema: "analytics", type: "postgres", database: "warehouse" };

const scopeFor = (file: string) => renderScope(file);

function renderer(macros: readonly MacroFile[] = []) {
  const environment = new TemplateEnvironment(macros);
  return (source: string) => environment.render(environment.compile("models/m.sql", source), scopeFor("models/m.sql"));
}

const jinjaCases: Record<string, [template: string, expected: string][]> = {
  "call arguments and literals": [
    [
      "{% test positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}{{ test_positive('orders', 'amount') }}",
      "select * from orders where amount <= 0",
    ],
    [
      "{{ [1, 2,] }} {{ ('a', 'b',) }} {{ ('a',) }} {{ {'a': 1,} }} {{ 'x,y'.split(',',) }}",
      "[1, 2] ['a', 'b'] ['a'] {'a': 1} ['x', 'y']",
    ],
    [
      "{% macro f(a, b) %}{{ a }}-{{ b }}{% endmacro %}{{ f(1, 2,) }} {{ f(*[3, 4]) }} {{ f(**{'b': 6, 'a': 5}) }}",
      "1-2 3-4 5-6",
    ],
    [
      "{% set col = {'name': 'id'} %}{% set key = 'k' %}{{ {col.name: 1, key: 2, 'K' | lower ~ 'x': 3} }}",
      "{'id': 1, 'k': 2, 'kx': 3}",
    ],
    [
      "{% macro f(a) %}{{ a }} {{ varargs }} {{ kwargs }}{% endmacro %}{{ f(1, 2, 3, z=4) }} {{ f(0) }}",
      "1 [2, 3] {'z': 4} 0 [] {}",
    ],
    [
      "{% macro inner(a) %}{{ a }}{{ varargs | join }}{% endmacro %}{% macro outer(x) %}{{ inner(x, *varargs) }}{% endmacro %}{{ outer('a', 'b', 'c') }}",
      "abc",
    ],
    ["{{ 2 ** 10 }} {{ 7 // 2 }} {{ -7 // 2 }}", "1024 3 -4"],
    // A string literal may span lines; calling a method on it must compile.
    ["{{ '\n{} of\n{}'.format('a', 'b') | trim }}", "a of\nb"],
  ],
  "python builtins and modules.re": [
    ["{{ set(['a', 'b', 'a']) | length }} {{ set(['a', 'b']) == set(['b', 'a']) }} {{ set() }}", "2 True set()"],
    ["{{ 'b' in set(['a', 'b']) }} {{ set(['a', 'b']) != set(['a']) }}", "True True"],
    [
      "{{ zip([1, 2, 3], ['a', 'b']) | list }} {{ dict(a=1) }} {{ dict([('k', 2)]) }}",
      "[[1, 'a'], [2, 'b']] {'a': 1} {'k': 2}",
    ],
    [
      "{{ modules.re.sub('[ -]+', '_', 'a b-c') }} {{ modules.re.sub('(\\w)(\\d)', '\\\\2\\\\1', 'a1 b2') }}",
      "a_b_c 1a 2b",
    ],
    // Python keeps unknown escapes (`\d`), so regular expressions arrive intact; `\x41`, `\n`, `\1` are escapes.
    [
      "{{ '\\d+\\.' }} {{ '\\x41\\u00e9' }} {{ 'a\\'b' }} {{ 'x\\\\y' }} {{ '\\1' == '\\x01' }}",
      "\\d+\\. Aé a'b x\\y True",
    ],
    [
      "{{ modules.re.match('^[0-9]', '9x') is not none }} {{ modules.re.match('[0-9]', 'x9') is none }} {{ modules.re.search('[0-9]+', 'x42y').group(0) }}",
      "True True 42",
    ],
    [
      "{{ modules.re.findall('[a-z]=(\\d)', 'a=1 b=2') }} {{ modules.re.split(',\\s*', 'a, b,c') }}",
      "['1', '2'] ['a', 'b', 'c']",
    ],
    [
      "{{ modules.re.match('(?i)ABC', 'abc') is not none }} {{ modules.re.compile('x+').sub('-', 'axxb') }}",
      "True a-b",
    ],
    // Inline flags one after the other, as Python reads them: ignore case, then dot matches newline.
    ["{{ modules.re.search('(?i)(?s)^A.B', 'a\\nb') is not none }}", "True"],
    ["{{ [('a', 1), ('a', 1), ('b', 2)] | unique | list }}", "[['a', 1], ['b', 2]]"],
    // Jinja's Undefined has length 0 (None has no length).
    ["{% set d = {} %}{{ d.missing | length }} {{ this.no_such_attribute | length }}", "0 0"],
    // Braces that are no quantifier are themselves, as in Python; a{2} still counts.
    [
      "{{ modules.re.sub('{{\\s*x\\s*}}', 'y', '{{ x }}') }} {{ modules.re.match('a{2}', 'aa') is not none }}",
      "y True",
    ],
    // VERBOSE: layout and comments go, except inside a class or escaped.
    [
      "{{ modules.re.findall('(?x) (from|join) \\s+  # the keyword\\n ([a-z_ #]+) \\# \\ x', 'from orders # x') }}",
      "[['from', 'orders ']]",
    ],
  ],
  "do and return": [
    ["{% set xs = [] %}{% do xs.append(1) %}{% do xs.append('a') %}{{ xs }}", "[1, 'a']"],
    ["{% set d = {'a': 1} %}{% do d.update({'b': 2}) %}{{ d }}", "{'a': 1, 'b': 2}"],
    ["{% set xs = [1] %}{% do xs.extend([2, 3]) %}{{ xs | join('-') }}", "1-2-3"],
    ["{% set ns = namespace(msg='') %}{% set ns.msg %}a {{ 1 + 1 }}{% endset %}[{{ ns.msg }}]", "[a 2]"],
    ["{% macro _private() %}p{% endmacro %}{{ _private() }}", "p"],
  ],
  "python literals and methods": [
    ["{{ True }} {{ False }} {{ None is none }} {{ true and not False }}", "True False True True"],
    // Jinja prints None as Python does.
    ["{{ none }} {{ [none] }}", "None [None]"],
    ["{% set d = {'a': 1, 'b': 2} %}{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;"],
    ["{{ {'a': 1}.get('a') }} {{ {'a': 1}.get('b', 2) }} {{ {'a': 1}.get('b') is none }}", "1 2 True"],
    ["{{ {'a': 1}.keys() | list }} {{ {'a': 1}.values() | list }}", "['a'] [1]"],
    ["{{ ' Ab '.strip().lower() }}|{{ 'ab'.upper() }}|{{ 'xxaxx'.strip('x') }}", "ab|AB|a"],
    ["{{ 'abc'.startswith('a') }} {{ 'abc'.startswith(('x', 'ab')) }} {{ 'abc'.endswith('c') }}", "True True True"],
    ["{{ 'a-b-c'.replace('-', '_') }} {{ 'a-b-c'.replace('-', '_', 1) }}", "a_b_c a_b-c"],
    [
      "{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a.b.c'.split('.', 1) }}",
      "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b.c']",
    ],
    ["{{ '{} and {}'.format(1, 'x') }} {{ '{0}{1}{0}'.format('a', 'b') }} {{ '{n}!'.format(n=3) }}", "1 and x aba 3!"],
    ["{{ ', '.join(['a', 'b']) }}", "a, b"],
    [
      "{{ '%s x' % 'a' }} {{ '%s_%s' % ('a', 3) }} {{ '%d%%' % 7 }} {{ '%.2f' % 1.5 }} {{ '%05d' % 42 }}",
      "a x a_3 7% 1.50 00042",
    ],
    ["{{ 7 % 3 }} {{ -7 % 3 }}", "1 2"],
    [
      "{{ [1, 2, 3][1:] }} {{ 'abcd'[:2] }} {{ [1, 2, 3][-1] }} {{ [1, 2, 3][::-1] }} {{ 'abcd'[1:-1] }}",
      "[2, 3] ab 3 [3, 2, 1] bc",
    ],
    ["{{ [1] + [2] }} {{ 'a' + 'b' }} {{ 1 + 2 }}", "[1, 2] ab 3"],
    [
      "{% if [] %}yes{% else %}no{% endif %} {% if {} %}yes{% else %}no{% endif %} {{ [] or 'empty' }} {{ 'x' and 'y' }}",
      "no no empty y",
    ],
    ["{{ 'a' if [] else 'b' }} {{ not [] }}", "b True"],
  ],
  loop: [
    [
      "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{% if not loop.last %},{% endif %}{% endfor %}",
      "103TrueFalse3,212FalseFalse3,321FalseTrue3",
    ],
    [
      "{% for x in [1, 2, 3, 4] if x is even %}{{ loop.index }}:{{ x }}{% if not loop.last %},{% endif %}{% endfor %}",
      "1:2,2:4",
    ],
    ["{% for x in [1, 2] if x > 5 %}{{ x }}{% else %}none kept{% endfor %}", "none kept"],
    ["{% for k, v in {'a': 1, 'b': 2}.items() if v > 1 %}{{ k }}{{ loop.length }}{% endfor %}", "b1"],
  ],
  tests: [
    [
      "{{ 'a' is string }} {{ 1 is string }} {{ {} is mapping }} {{ [] is mapping }} {{ [1] is sequence }} {{ 'a' is sequence }} {{ 1 is sequence }}",
      "True False True False True True False",
    ],
    [
      "{{ 1 is number }} {{ 1.5 is number }} {{ '1' is number }} {{ none is none }} {{ 0 is none }} {{ x is defined }} {{ 1 is defined }}",
      "True True False True False False True",
    ],
  ],
  filters: [
    [
      "{{ ['a', 'b'] | join(', ') }} {{ 'AbC' | lower }} {{ 'abc' | upper }} {{ '  a ' | trim }}|{{ 'a-b-c' | replace('-', '') }}",
      "a, b abc ABC a|abc",
    ],
    [
      "{{ undefined_name | default('d') }} {{ '' | default('d', true) }} {{ [1, 2] | length }} {{ {'a': 1} | length }} {{ 'abc' | length }}",
      "d d 2 1 3",
    ],
    ["{{ 'ab' | list }} {{ {'a': 1, 'b': 2} | list }}", "['a', 'b'] ['a', 'b']"],
    ["{{ [{'a': 1}, {'a': 2}] | map(attribute='a') | list }} {{ ['A', 'B'] | map('lower') | join }}", "[1, 2] ab"],
    ["{{ [{'a': 1, 'b': True}, {'a': 2, 'b': False}] | selectattr('b') | map(attribute='a') | list }}", "[1]"],
    ["{{ [{'a': 1}, {'a': 2}, {'a': 3}] | selectattr('a', 'equalto', 2) | map(attribute='a') | list }}", "[2]"],
    ["{{ [{'a': 1}, {'a': 2}, {'a': 3}] | rejectattr('a', 'equalto', 2) | map(attribute='a') | list }}", "[1, 3]"],
    [
      "{{ [{'a': 1}, {'a': 5}] | selectattr('a', 'gt', 2) | map(attribute='a') | list }} {{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3] | reject('odd') | list }}",
      "[5] [1, 3] [2]",
    ],
    ["{{ [3, 1, 3, 2] | unique | list }} {{ ['a', 'A', 'b'] | unique | list }}", "[3, 1, 2] ['a', 'b']"],
    ["{{ {'b': 1, 'a': [1, 'x']} | tojson }} {{ \"it's\" | tojson }}", '{"a": [1, "x"], "b": 1} "it\\u0027s"'],
    ["{{ '3' | int + 1 }} {{ '3.7' | int }} {{ 'x' | int }} {{ '1.5' | float }} {{ True | int }}", "4 3 0 1.5 1"],
  ],
  "namespace and scoping": [
    [
      "{% set ns = namespace(total=0, seen=[]) %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}{% do ns.seen.append(i) %}{% endfor %}{{ ns.total }} {{ ns.seen }}",
      "6 [1, 2, 3]",
    ],
    ["{% set y = 1 %}{% for i in [5, 6] %}{% set y = i %}{{ y }}{% endfor %}|{{ y }}", "56|1"],
    ["{% for i in [1, 2] %}{% set inner = i %}{% endfor %}{{ inner is defined }}", "False"],
    ["{% set y = 0 %}{% for i in [1, 2] %}{% if i == 2 %}{% set y = 9 %}{% endif %}{% endfor %}{{ y }}", "0"],
    // Each iteration starts from the outer values again; nothing assigned in one survives.
    ["{% set y = 0 %}{% for i in [1, 2] %}{{ y }}{% set y = i %}{{ y }}{% endfor %}|{{ y }}", "0102|0"],
    ["{% for i in [1, 2] %}{% if i == 1 %}{% set z = 5 %}{% endif %}{{ z is defined }}{% endfor %}", "TrueFalse"],
    ["{% for x in ['a', 'b'] %}{% set x = x | upper %}{{ x }}{% endfor %}", "AB"],
  ],
  "whitespace, call, set block": [
    ["a\n{%- if true %}\n  b\n{%- endif %}\nc", "a\n  b\nc"],
    ["{% for x in [1, 2] -%}\n  {{ x }}\n{%- endfor %}", "12"],
    [
      "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}in{% endcall %}",
      "<b>in</b>",
    ],
    [
      "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}",
      "[1][2]",
    ],
    ["{% set s %}select {{ 1 + 1 }}{% endset %}{{ s | upper }}", "SELECT 2"],
  ],
  comparisons: [
    [
      "{{ [] == [] }} {{ [1, [2]] == [1, [2]] }} {{ {'a': 1} == {'a': 1} }} {{ '1' == 1 }} {{ '' == 0 }} {{ 1 == 1.0 }} {{ True == 1 }}",
      "True True True False False True True",
    ],
    [
      "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' < 'b' }} {{ none == none }} {{ [1] != [2] }}",
      "True False True True True",
    ],
    ["{% set cols = [] %}{% if cols == [] %}none{% endif %}", "none"],
  ],
};

describe("Jinja as dbt writes it renders what Jinja2 renders", () => {
  const render = renderer();
  for (const [feature, cases] of Object.entries(jinjaCases)) {
    it(feature, () => {
      for (const [template, expected] of cases) assert.equal(render(template), expected, template);
    });
  }
});

// Where nunjucks alone would render something other than Jinja2 without a word, Almanac either
// renders Jinja2's output (the tables above) or refuses with ALMANAC_TEMPLATE_ERROR at file:line.
const refusedCases: [template: string, message: RegExp][] = [
  [
    "{% set d = {} %}\n{% set d.x = 1 %}",
    /^models\/m\.sql:2: cannot assign attribute "x" on \{\}: .* only works on namespace\(\) objects/,
  ],
  ["select 1\n\n{{ 'a' + 1 }}", /^models\/m\.sql:3: cannot add 'a' and 1: use ~ to join text/],
  ["{{ 'a' - 1 }}", /^models\/m\.sql:1: cannot subtract 1 from 'a'/],
  ["{{ '%s and %s' % 'a' }}", /^models\/m\.sql:1: not enough arguments for format string '%s and %s'/],
  ["{{ '%s' % ('a', 'b') }}", /^models\/m\.sql:1: not all arguments converted/],
  ["{{ [1, 2].length }}", /^models\/m\.sql:1:\d+: attempted to output null or undefined value/],
  ["{{ 'abc'.toUpperCase() }}", /^models\/m\.sql:1:\d+: Unable to call/],
  ["{{ [{'a': 1}] | selectattr('a', 'no_such_test') | list }}", /^models\/m\.sql:1:1: test not found: no_such_test/],
  ["{{ ['a'] | map('no_such_filter') | list }}", /^models\/m\.sql:1:1: filter not found: no_such_filter/],
  ["{{ no_such_name }}", /^models\/m\.sql:1:\d+: attempted to output null or undefined value/],
  ["{{ 5 % 0 }}", /^models\/m\.sql:1: modulo by zero/],
  ["{% if '2024' < 5 %}x{% endif %}", /^models\/m\.sql:1: '<' is not supported between '2024' and 5/],
  [
    "{% for x in [1] %}{{ loop.cycle('a', 'b') }}{% endfor %}",
    /^models\/m\.sql:1:\d+: Unable to call `loop\["cycle"\]`/,
  ],
  ["{{ [1, 2][1:2:0] }}", /^models\/m\.sql:1: slice step must be a non-zero integer/],
  [
    "{% set ns = namespace() %}{% set x, ns.c = [1, 2] %}",
    /^models\/m\.sql:1:\d+: set: only \{% set ns\.attribute = value %\}/,
  ],
  ["{{ exceptions.raise_compiler_error('bad input') }}", /^models\/m\.sql:1: bad input$/],
  [
    "{{ dbt.datediff('a', 'b', 'fortnight') }}",
    /^models\/m\.sql:1: dbt\.datediff: unsupported datepart 'fortnight' on postgres/,
  ],
  ["{{ dbt.dateadd(\"day'); drop table x; --\", 1, 'd') }}", /^models\/m\.sql:1: dbt\.dateadd: unsupported datepart/],
];

describe("what Jinja2 renders differently is refused with ALMANAC_TEMPLATE_ERROR at file:line", () => {
  const render = renderer();
  for (const [template, message] of refusedCases) {
    it(template, () => {
      assert.throws(
        () => render(template),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, "ALMANAC_TEMPLATE_ERROR");
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

const macros: MacroFile[] = [
  {
    path: "macros/values.sql",
    source: `{% macro as_list() %}{{ return([1, 'a', True]) }}{% endmacro %}
{% macro as_dict() %}{{ return({'k': none}) }}{% endmacro %}
{% macro as_bool(x) %}{{ return(x > 1) }}{% endmacro %}
{% macro wrapped() %}  padded  {% endmacro %}
{% macro default__cast_text(col) %}cast({{ col }} as {{ dbt.type_string() }}){% endmacro %}
{% macro render_columns(cols) %}{% for c in cols %}{{ caller(c) }}{{ ', ' if not loop.last }}{% endfor %}{% endmacro %}`,
  },
];

const macroCases: [template: string, expected: string][] = [
  ["{{ as_list() }} {{ as_list() | length }}", "[1, 'a', True] 3"],
  ["{{ as_dict().k is none }} {{ as_dict() | tojson }}", 'True {"k": null}'],
  ["{% if as_bool(2) %}big{% endif %}{% if not as_bool(0) %} small{% endif %}", "big small"],
  ["[{{ wrapped().strip() }}]", "[padded]"],
  ["{{ adapter.dispatch('cast_text', 'shop')('x') }}", "cast(x as TEXT)"],
  ["{% call(c) render_columns(['a', 'b']) %}{{ c | upper }}{% endcall %}", "A, B"],
];

describe("macros return values and take callers", () => {
  const render = renderer(macros);
  for (const [template, expected] of macroCases) {
    it(template, () => assert.equal(render(template), expected));
  }
});

const dbtContextCases: [template: string, expected: string][] = [
  ["{{ target.type }} {{ target.database }} {{ target.name }}", "postgres warehouse dev"],
  ["{{ this }} {{ this.schema }}.{{ this.identifier }}", '"analytics"."orders" analytics.orders'],
  [
    "{{ this.include(schema=False) }} {{ this.incorporate(path={'identifier': 'o2'}) }} {{ this.is_table }} {{ this.incorporate(type='table').is_table }}",
    '"orders" "analytics"."o2" False True',
  ],
  [
    "{{ this is mapping }} {{ this.get('metadata').get('type') }} {% set d = {this: 1} %}{{ d.keys() | list }}",
    'True PostgresRelation [\'"analytics"."orders"\']',
  ],
  [
    "{{ dbt_version }} {{ invocation_id | length }} {{ run_started_at.year > 2000 }} {{ run_started_at.strftime('%Y') | length }}",
    "1.9.0 36 True 4",
  ],
  [
    "{{ flags.FULL_REFRESH }} {{ flags.WHICH }} {{ flags.STORE_FAILURES }} {{ flags.NO_SUCH_FLAG is none }}",
    "False run False True",
  ],
  ["{{ type_string() }} {{ string_literal('x') }} {{ escape_single_quotes(\"it's\") }}", "TEXT 'x' it''s"],
  [
    "{{ dbt.listagg('name', \"', '\", 'order by name') }} {{ dbt.array_construct(['1', '2'], 'int') }} {{ dbt.date(2024, 3, 1) }}",
    "string_agg(name, ', ' order by name) array[ 1 , 2 ] to_date('2024-03-01', 'YYYY-MM-DD')",
  ],
  [
    "{{ dbt.last_day('d', 'month') }}",
    "cast(date_trunc('month', d) + ((interval '1 month') * (1)) + ((interval '1 day') * (-1)) as date)",
  ],
  ["{{ model.name }} {{ model.config.materialized }}", "orders table"],
  [
    "{{ ref('pkg', 'customers') }} {{ ref('customers', v=2) }} {{ ref('customers', version=3) }}",
    '"analytics"."customers" "analytics"."customers_v2" "analytics"."customers_v3"',
  ],
  ["{{ log('hello', info=True) }}done", "done"],
  ["{{ dbt.date_trunc('day', 'created_at') }}", "date_trunc('day', created_at)"],
  ["{{ dbt.dateadd('day', -1, \"'2024-03-01'::date\") }}", "'2024-03-01'::date + ((interval '1 day') * (-1))"],
  ["{{ dbt.dateadd(datepart='hour', interval=2, from_date_or_timestamp='ts') }}", "ts + ((interval '1 hour') * (2))"],
  ["{{ dbt.datediff('a', 'b', 'day') }}", "((b)::date - (a)::date)"],
  [
    "{{ dbt.datediff('a', 'b', 'month') }}",
    "((date_part('year', (b)::date) - date_part('year', (a)::date)) * 12 + date_part('month', (b)::date) - date_part('month', (a)::date))",
  ],
  [
    "{{ dbt.datediff('a', 'b', 'hour') }}",
    "(((b)::date - (a)::date) * 24 + date_part('hour', (b)::timestamp) - date_part('hour', (a)::timestamp))",
  ],
  ["{{ dbt.safe_cast('x', dbt.type_int()) }}", "cast(x as INT)"],
  ["{{ dbt.concat(['a', \"'-'\", 'b']) }}", "a || '-' || b"],
  [
    "{{ dbt.type_string() }} {{ dbt.type_timestamp() }} {{ dbt.type_int() }} {{ dbt.current_timestamp() }}",
    "TEXT TIMESTAMP INT now()",
  ],
  [
    "{% set dt = modules.datetime %}{{ dt.date(2024, 2, 28) + dt.timedelta(days=1) }} {{ dt.date(2024, 2, 28) + dt.timedelta(days=2) }}",
    "2024-02-29 2024-03-01",
  ],
  [
    "{% set dt = modules.datetime %}{{ dt.datetime(2024, 3, 1, 6, 30).strftime('%Y%m%d_%H%M') }} {{ dt.datetime.strptime('2024-03-01', '%Y-%m-%d').isoformat() }}",
    "20240301_0630 2024-03-01T00:00:00",
  ],
  [
    "{% set dt = modules.datetime %}{{ (dt.date(2024, 3, 1) - dt.date(2024, 1, 1)).days }} {{ dt.datetime(2024, 3, 1, 12) - dt.timedelta(hours=13) }}",
    "60 2024-02-29 23:00:00",
  ],
  // dbt_expectations' timeseries_hourly: midnight today, ten days back.
  [
    "{% set dt = modules.datetime %}{{ dt.datetime(2024, 3, 1, 6, 30, 15).replace(hour=0, minute=0, second=0, microsecond=0) }} {{ dt.date(2024, 3, 1).replace(year=2023, day=31) }} {{ dt.datetime.today().replace(hour=0, minute=0, second=0, microsecond=0).strftime('%H:%M:%S') }}",
    "2024-03-01 00:00:00 2023-03-31 00:00:00",
  ],
  // Jinja2 prints tuples as (1, 'a'); this layer's tuples are lists, as zip's are.
  [
    "{% set it = modules.itertools %}{% for a, b in it.product([1, 2], ['x', 'y']) %}{{ a }}{{ b }} {% endfor %}{{ it.product('ab', repeat=2) | length }} {{ it.chain([1], (2, 3), 'ab') | list }} {{ it.chain.from_iterable([[1], [2, 3]]) | list }} {{ it.combinations([1, 2, 3], 2) | length }}",
    "1x 1y 2x 2y 4 [1, 2, 3, 'a', 'b'] [1, 2, 3] 3",
  ],
];

describe("the dbt context that needs no database", () => {
  const render = renderer();
  for (const [template, expected] of dbtContextCases) {
    it(template, () => assert.equal(render(template), expected));
  }
});

describe("renderModel (dbt-style fixture: dispatch, do, namespace, return, custom schema macro)", () => {
  let project: Project;
  before(async () => {
    project = await loadProject(fixture("dbt-style"));
  });

  it("renders the payments pivot exactly", () => {
    const rendered = renderModel(project, "order_payments", { target, vars: {}, isIncremental: false, env: {} });
    assert.equal(
      rendered.sql,
      `-- order_payments in marts.order_payments on postgres: 3 methods, gift cards included
select
  p.order_id,
  sum(case when p.payment_method = 'credit_card' then p.amount else 0 end) as credit_card_amount,
  sum(case when p.payment_method = 'coupon' then p.amount else 0 end) as coupon_amount,
  sum(case when p.payment_method = 'bank_transfer' then p.amount else 0 end) as bank_transfer_amount,
  sum(case when p.payment_method = 'gift_card' then p.amount else 0 end) as gift_card_amount
  , sum(case when p.payment_method = 'credit_card' then 1 else 0 end) as "n_credit_card",
  sum(case when p.payment_method = 'coupon' then 1 else 0 end) as "n_coupon"
  , cast(max(p.paid_at) as TIMESTAMP) as last_paid_at
  , ((max(p.paid_at))::date - (min(p.paid_at))::date) as span_days
  , date_trunc('month', max(p.paid_at)) as paid_month
from "analytics"."stg_payments" p
join "analytics"."dim_customers_v2" c on c.customer_id = p.order_id
where p.paid_at >= '2024-02-23'
group by 1
`,
    );
  });

  it("the project's generate_schema_name names schemas: custom schema as is, else target.schema", () => {
    assert.deepEqual(relationOf(project, "order_payments", target), { schema: "marts", identifier: "order_payments" });
    assert.deepEqual(relationOf(project, "stg_payments", target), { schema: "analytics", identifier: "stg_payments" });
    const rendered = renderModel(project, "stg_payments", { target, vars: {}, isIncremental: false, env: {} });
    assert.equal(rendered.sql, 'select order_id, payment_method, amount, paid_at from "raw"."raw_payments_2024"\n');
  });

  it("records refs with two arguments and versions as dependencies", () => {
    const model = project.models.get("order_payments");
    assert.ok(model);
    assert.deepEqual([...model.refs].sort(), ["dim_customers_v2", "stg_payments"]);
  });
});
