{#- Normalise an email (trim, lower-case) and hash it, so the raw email never leaves staging.
    Empty or malformed emails (no '@') give NULL. The same person's email from chat, CRM and
    payments hashes to the same value whatever its case and whitespace. -#}
{% macro hash_email(column) -%}
    case
        when {{ column }} like '%@%'
            then {{ sha256_hex("lower(trim(" ~ column ~ "))") }}
    end
{%- endmacro %}

{#- True for internal and test accounts: an email at one of var('internal_email_domains') or an
    anonymous id starting with one of var('internal_anonymous_id_prefixes'). -#}
{% macro is_internal_account(email_column=none, anonymous_id_column=none) -%}
    (
        false
        {%- if email_column is not none %}
        {%- for domain in var('internal_email_domains') %}
        or coalesce(lower(trim({{ email_column }})) like '%@{{ domain }}', false)
        {%- endfor %}
        {%- endif %}
        {%- if anonymous_id_column is not none %}
        {%- for prefix in var('internal_anonymous_id_prefixes') %}
        or coalesce({{ anonymous_id_column }} like '{{ prefix }}%', false)
        {%- endfor %}
        {%- endif %}
    )
{%- endmacro %}

{#- Money in the smallest currency unit (Stripe) to a decimal amount, honouring zero-decimal
    currencies such as JPY. -#}
{% macro minor_units_to_amount(amount_column, currency_column) -%}
    cast(
        {{ amount_column }} / case
            when upper({{ currency_column }}) in ({{ "'" ~ var('zero_decimal_currencies') | join("', '") ~ "'" }}) then 1.0
            else 100.0
        end
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
