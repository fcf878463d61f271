/**
 * The functions a query may call, by the name DuckDB's parser gives them (operators included:
 * `~~` is LIKE, `count_star` is `count(*)`). Only pure computations are listed: no I/O, no
 * introspection of the engine, the session or its settings, no sequences or session state, and
 * nothing that dispatches to another function by name (`list_aggregate`), which would bypass
 * this list. Anything absent is refused.
 */
function words(text: string): string[] {
  return text.split(/\s+/).filter((word) => word.length > 0);
}

const OPERATORS = words(`
  + - * / // % ** ^ || & | ~ << >> @ !__postfix ~~ !~~ ~~* !~~* ~~~ ^@ <-> <=> <@ @> &&
`);

const MATH = words(`
  abs acos acosh add asin asinh atan atan2 atanh bit_count cbrt ceil ceiling cos cosh cot degrees divide even
  exp factorial fdiv floor fmod gamma gcd greatest greatest_common_divisor isfinite isinf isnan lcm least
  least_common_multiple lgamma ln log log10 log2 mod multiply nextafter pi pow power radians random round
  round_even roundbankers sign signbit sin sinh sqrt subtract tan tanh trunc xor bin hex unbin unhex to_base
  get_bit set_bit bit_length
`);

const STRINGS = words(`
  ascii bar base64 chr concat concat_ws contains damerau_levenshtein decode editdist3 encode ends_with format
  format_bytes formatReadableDecimalSize formatReadableSize from_base64 from_binary from_hex hamming hash
  ilike_escape instr jaccard jaro_similarity jaro_winkler_similarity lcase left left_grapheme len length
  length_grapheme char_length character_length levenshtein like_escape lower lpad ltrim md5 md5_number
  mismatches nfc_normalize not_ilike_escape not_like_escape octet_length ord position prefix printf
  regexp_escape regexp_extract regexp_extract_all regexp_full_match regexp_matches regexp_replace
  regexp_split_to_array repeat replace reverse right right_grapheme rpad rtrim sha1 sha256 split split_part
  starts_with str_split str_split_regex string_split string_split_regex string_to_array strip_accents strlen
  strpos substr substring substring_grapheme suffix to_base64 to_binary to_hex translate trim ucase unicode
  upper url_decode url_encode
`);

const DATES_AND_TIMES = words(`
  age ago century current_date current_localtime current_localtimestamp date_add date_bin date_diff date_part
  date_sub date_trunc datediff datepart datesub datetrunc day dayname dayofmonth dayofweek dayofyear
  days_in_month decade epoch epoch_ms epoch_ns epoch_us era get_current_time get_current_timestamp hour isodow
  isoyear julian last_day make_date make_time make_timestamp make_timestamp_ms make_timestamp_ns
  make_timestamptz microsecond millennium millisecond minute month monthname nanosecond normalized_interval
  now quarter second strftime strptime time_bucket timezone timezone_hour timezone_minute to_centuries to_days
  to_decades to_hours to_microseconds to_millennia to_milliseconds to_minutes to_months to_quarters to_seconds
  to_timestamp to_weeks to_years today transaction_timestamp try_strptime week weekday weekofyear year
  yearweek
`);

const CONDITIONALS_AND_MISC = words(`
  nullif typeof gen_random_uuid uuid uuidv4 uuidv7 uuid_extract_timestamp uuid_extract_version unnest
`);

const LISTS_STRUCTS_MAPS = words(`
  array_append array_cat array_concat array_contains array_cosine_distance array_cosine_similarity
  array_cross_product array_distance array_distinct array_dot_product array_extract array_filter
  array_grade_up array_has array_has_all array_has_any array_indexof array_inner_product array_intersect
  array_length array_negative_dot_product array_negative_inner_product array_pop_back array_pop_front
  array_position array_prepend array_push_back array_push_front array_reduce array_resize array_reverse
  array_reverse_sort array_select array_slice array_sort array_to_string array_transform array_apply
  array_unique array_value array_where array_zip apply cardinality element_at filter flatten grade_up
  list_any_value list_append list_apply list_approx_count_distinct list_avg list_bit_and list_bit_or
  list_bit_xor list_bool_and list_bool_or list_cat list_concat list_contains list_cosine_distance
  list_cosine_similarity list_count list_distance list_distinct list_dot_product list_element list_entropy
  list_extract list_filter list_first list_grade_up list_has list_has_all list_has_any list_histogram
  list_indexof list_inner_product list_intersect list_kurtosis list_kurtosis_pop list_last list_mad list_max
  list_median list_min list_mode list_negative_dot_product list_negative_inner_product list_pack list_position
  list_prepend list_product list_reduce list_resize list_reverse list_reverse_sort list_select list_sem
  list_skewness list_slice list_sort list_stddev_pop list_stddev_samp list_string_agg list_sum list_transform
  list_unique list_value list_var_pop list_var_samp list_where list_zip reduce map map_concat map_contains
  map_contains_entry map_contains_value map_entries map_extract map_extract_value map_from_entries map_keys
  map_values row struct_concat struct_contains struct_extract struct_extract_at struct_has struct_indexof
  struct_insert struct_keys struct_pack struct_position struct_update struct_values
`);

const JSON_VALUES = words(`
  ->> json_array json_array_length json_contains json_exists json_extract json_extract_path
  json_extract_path_text json_extract_string json_keys json_merge_patch json_object json_quote json_type
  json_valid json_value to_json
`);

const AGGREGATES = words(`
  any_value approx_count_distinct approx_quantile approx_top_k arbitrary arg_max arg_max_null
  arg_max_nulls_last arg_min arg_min_null arg_min_nulls_last argmax argmin array_agg avg bit_and bit_or
  bit_xor bool_and bool_or corr count count_if count_star countif covar_pop covar_samp entropy favg first fsum
  geomean geometric_mean group_concat histogram histogram_exact kahan_sum kurtosis kurtosis_pop last list
  listagg mad max max_by mean median min min_by mode product quantile quantile_cont quantile_disc regr_avgx
  regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy reservoir_quantile sem
  skewness stddev stddev_pop stddev_samp string_agg sum sumkahan var_pop var_samp variance wavg weighted_avg
`);

const WINDOWS = words(`
  cume_dist dense_rank fill first_value lag last_value lead nth_value ntile percent_rank rank rank_dense
  row_number
`);

/** Refused even if someone adds them above: each reads the engine, the session, the host or files. */
export const DENIED_FUNCTIONS: ReadonlySet<string> = new Set(
  words(`
    current_setting getenv current_database current_catalog current_schema current_schemas current_user
    current_role session_user user version getvariable current_query current_query_id current_connection_id
    current_transaction_id txid_current in_search_path sniff_csv glob query query_table json_serialize_sql
    json_deserialize_sql json_serialize_plan json_execute_serialized_sql nextval currval setseed sleep_ms
    pg_sleep write_log stats finalize combine aggregate list_aggregate list_aggr array_aggregate array_aggr
    range generate_series get_block_size parse_path parse_dirname parse_dirpath parse_filename
    parse_duckdb_log_message which_secret error alias cast_to_type replace_type make_type get_type
    enum_range enum_range_boundary enum_first enum_last enum_code
  `),
);

const DENIED_PREFIXES = ['pragma_', 'duckdb_', 'read_', 'pg_', 'has_', 'inet_', 'icu_', 'st_', 'variant_', '__'];

const ALLOWED: ReadonlySet<string> = new Set(
  [
    ...OPERATORS,
    ...MATH,
    ...STRINGS,
    ...DATES_AND_TIMES,
    ...CONDITIONALS_AND_MISC,
    ...LISTS_STRUCTS_MAPS,
    ...JSON_VALUES,
    ...AGGREGATES,
    ...WINDOWS,
  ].map((name) => name.toLowerCase()),
);

export function isFunctionAllowed(name: string): boolean {
  const key = name.toLowerCase();
  if (DENIED_FUNCTIONS.has(key) || DENIED_PREFIXES.some((prefix) => key.startsWith(prefix))) return false;
  return ALLOWED.has(key);
}

/** Every allowed name, for the test that checks each one exists in the engine. */
export function allowedFunctionNames(): string[] {
  return [...ALLOWED];
}
