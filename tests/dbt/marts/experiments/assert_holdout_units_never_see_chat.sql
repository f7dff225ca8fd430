{#- A holdout's control variant must never see the chat widget: any widget view, chat open or
    conversation by a holdout unit after exposure means the holdout leaks and the
    incrementality numbers are wrong. -#}
select
    outcomes.experiment_id,
    outcomes.variant_id,
    outcomes.anonymous_id,
    outcomes.widget_views,
    outcomes.chat_opens,
    outcomes.conversations
from {{ ref('int_experiment_unit_outcomes') }} as outcomes
inner join {{ ref('experiment_plans') }} as plans
    on
        outcomes.experiment_id = plans.experiment_id
        and outcomes.variant_id = plans.variant_id
where
    plans.experiment_type = 'holdout'
    and plans.is_control
    and (outcomes.widget_views > 0 or outcomes.chat_opens > 0 or outcomes.conversations > 0)
