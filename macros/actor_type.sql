{#- Map a source's author role ('visitor', 'agent', 'bot', 'system', 'human', 'user', ...) onto
    the project's actor types: visitor, bot, human_agent, system. Unknown roles give NULL, which
    the staging tests catch rather than guessing. -#}
{% macro actor_type_from_role(role_column) -%}
    case lower(trim({{ role_column }}))
        when 'visitor' then 'visitor'
        when 'user' then 'visitor'
        when 'customer' then 'visitor'
        when 'contact' then 'visitor'
        when 'bot' then 'bot'
        when 'automation' then 'bot'
        when 'agent' then 'human_agent'
        when 'human' then 'human_agent'
        when 'admin' then 'human_agent'
        when 'teammate' then 'human_agent'
        when 'system' then 'system'
    end
{%- endmacro %}
