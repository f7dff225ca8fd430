{#- Replace emails, card-like numbers (13-19 digits, spaces or dashes allowed) and phone numbers
    in free text with [email], [card] and [phone]. Cards go before phones so a card number is
    not half-eaten as a phone; international numbers (+country code, groups of up to 5 digits
    such as +91 98765 43210) go before the national pattern. Used on every text that reaches a
    mart. -#}
{% macro redact_pii(column) -%}
    {{ return(adapter.dispatch('redact_pii', 'chat_performance')(column)) }}
{%- endmacro %}

{% macro default__redact_pii(column) -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    {{ column }},
                    '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}', '[email]', 'g'
                ),
                '\b(?:\d[ -]?){12,18}\d\b', '[card]', 'g'
            ),
            '\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,5}(?:[ .-]?\d{2,8}){1,3}\b', '[phone]', 'g'
        ),
        '(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)|\d{2,4})[ .-]?\d{3,4}[ .-]?\d{3,4}\b', '[phone]', 'g'
    )
{%- endmacro %}

{% macro spark__redact_pii(column) -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    {{ column }},
                    '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}', '[email]'
                ),
                '\\b(?:\\d[ -]?){12,18}\\d\\b', '[card]'
            ),
            '\\+\\d{1,3}[ .-]?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{2,5}(?:[ .-]?\\d{2,8}){1,3}\\b', '[phone]'
        ),
        '(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{2,4}\\)|\\d{2,4})[ .-]?\\d{3,4}[ .-]?\\d{3,4}\\b', '[phone]'
    )
{%- endmacro %}
