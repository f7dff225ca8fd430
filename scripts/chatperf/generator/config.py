"""Configuration: the single source of every planted number (the manifest is built from it).

The frozen dataclasses below are the defaults; :class:`RunOptions` holds the command-line
arguments that shape the data."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CountrySpec:
    code: str
    weight: float
    currency: str
    # UTC offsets the visitor's device reports, with weights ("Z" and "+00:00" are both UTC)
    offsets: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class SourceSpec:
    name: str
    weight: float
    utm_source: str
    utm_medium: str
    utm_campaign: str
    referrer: str
    # multiplies the base purchase probability of visitors acquired through this source
    purchase_multiplier: float
    hubspot_source: str
    hubspot_source_data_1: str


@dataclass(frozen=True)
class TrafficConfig:
    # new-visitor arrivals by UTC hour (relative weights)
    hourly_weights_utc: tuple[float, ...] = (
        0.5, 0.4, 0.35, 0.3, 0.3, 0.35, 0.5, 0.7, 0.9, 1.0, 1.05, 1.1,
        1.2, 1.3, 1.4, 1.45, 1.45, 1.4, 1.35, 1.3, 1.2, 1.0, 0.8, 0.6,
    )  # fmt: skip
    # Monday .. Sunday
    weekday_weights: tuple[float, ...] = (1.0, 1.05, 1.05, 1.0, 0.9, 0.7, 0.8)
    # the launch spike starts at this fraction of the range and lasts len(multipliers) days
    launch_spike_start_fraction: float = 0.4
    launch_spike_multipliers: tuple[float, ...] = (2.5, 3.0, 2.0)
    launch_spike_min_days: int = 7
    launch_spike_source: str = "youtube"
    launch_spike_source_weight_multiplier: float = 3.0
    # sessions per visitor ~ Geometric(p) (>= 1), returning after Exp(mean) + minimum gap
    sessions_per_visitor_geometric_p: float = 0.5
    max_sessions_per_visitor: int = 40
    return_gap_days_mean: float = 3.5
    return_gap_min_minutes: float = 30.0
    # pages per session = 1 + Poisson(mean), gaps between page views log-normal
    extra_pages_per_session_mean: float = 1.3
    max_pages_per_session: int = 12
    page_gap_seconds_median: float = 40.0
    page_gap_sigma: float = 0.9
    # traffic source of a returning session: direct / newsletter / the acquisition source
    returning_session_source_shares: tuple[tuple[str, float], ...] = (
        ("direct", 0.5),
        ("newsletter", 0.2),
        ("acquisition", 0.3),
    )
    qa_visitor_share: float = 0.002
    device_shares: tuple[tuple[str, float], ...] = (
        ("desktop", 0.52),
        ("mobile", 0.42),
        ("tablet", 0.06),
    )
    countries: tuple[CountrySpec, ...] = (
        CountrySpec("US", 0.30, "USD", (("-04:00", 0.5), ("-05:00", 0.2), ("-07:00", 0.3))),
        CountrySpec("GB", 0.12, "GBP", (("+01:00", 0.6), ("Z", 0.3), ("+00:00", 0.1))),
        CountrySpec("DE", 0.12, "EUR", (("+02:00", 0.9), ("+00:00", 0.1))),
        CountrySpec("FR", 0.06, "EUR", (("+02:00", 1.0),)),
        CountrySpec("ES", 0.05, "EUR", (("+02:00", 1.0),)),
        CountrySpec("NL", 0.04, "EUR", (("+02:00", 0.8), ("Z", 0.2))),
        CountrySpec("CA", 0.08, "CAD", (("-04:00", 0.6), ("-07:00", 0.4))),
        CountrySpec("IN", 0.09, "USD", (("+05:30", 1.0),)),
        CountrySpec("BR", 0.05, "USD", (("-03:00", 1.0),)),
        CountrySpec("AU", 0.05, "AUD", (("+10:00", 1.0),)),
        CountrySpec("MX", 0.04, "USD", (("-06:00", 1.0),)),
    )
    sources: tuple[SourceSpec, ...] = (
        SourceSpec("youtube", 0.22, "youtube", "video", "fall_launch",
                   "https://www.youtube.com/", 1.0, "SOCIAL_MEDIA", "YouTube"),
        SourceSpec("instagram", 0.11, "instagram", "social", "creator_bio",
                   "https://l.instagram.com/", 0.8, "SOCIAL_MEDIA", "Instagram"),
        SourceSpec("google", 0.22, "", "", "", "https://www.google.com/", 1.1,
                   "ORGANIC_SEARCH", "google"),
        SourceSpec("newsletter", 0.12, "newsletter", "email", "weekly_digest", "", 1.8,
                   "EMAIL_MARKETING", "weekly_digest"),
        SourceSpec("direct", 0.21, "", "", "", "", 1.3, "DIRECT_TRAFFIC", ""),
        SourceSpec("podcast", 0.06, "podcast", "referral", "ep_212",
                   "https://podcasts.apple.com/", 1.2, "REFERRALS", "podcasts.apple.com"),
        SourceSpec("facebook_ads", 0.06, "facebook", "cpc", "fall_launch_retargeting",
                   "https://www.facebook.com/", 0.9, "PAID_SOCIAL", "Facebook"),
    )  # fmt: skip


@dataclass(frozen=True)
class ChatConfig:
    # funnel (per session of a visitor who may see the chat)
    widget_view_probability: float = 0.85
    # chat open probability per widget view, by proactive_prompt variant
    chat_open_probability: tuple[tuple[str, float], ...] = (("control", 0.20), ("treatment", 0.28))
    proactive_trigger_share_in_treatment: float = 0.6
    conversation_start_probability: float = 0.8  # an open gets a visitor message
    helpdesk_share: float = 0.05  # started conversations that exist only in the export
    identify_probability: float = 0.45  # visitor gives an email in the pre-chat form
    app_channel_share_on_mobile: float = 0.35
    open_delay_seconds_median: float = 40.0
    open_delay_sigma: float = 0.8
    visitor_typing_seconds_median: float = 20.0
    visitor_typing_sigma: float = 0.6
    receive_lag_ms_median: float = 800.0
    receive_lag_sigma: float = 0.6
    # bot (bot_first arm only)
    bot_id: str = "helpbot"
    bot_response_mu: float = math.log(1.6)  # seconds, log-normal
    bot_response_sigma: float = 0.35
    bot_extra_rounds_weights: tuple[float, ...] = (0.55, 0.30, 0.15)  # 0, 1, 2 extra exchanges
    bot_resolution_probability: float = 0.35
    bot_handoff_probability: float = 0.50  # the rest abandon in the bot phase
    handoff_requested_by_visitor_share: float = 0.6
    bot_abandon_no_reply_timeout_share: float = 0.3
    # humans
    agents: int = 8
    staffed_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    staffed_hours_utc: tuple[int, int] = (8, 20)  # [start, end)
    human_first_response_mu: float = math.log(75.0)  # seconds, log-normal, staffed hours
    human_first_response_sigma: float = 1.0
    human_reply_mu: float = math.log(45.0)  # later replies within an exchange
    human_reply_sigma: float = 0.8
    macro_autoreply_probability_offhours: float = 0.6
    macro_autoreply_author_id: str = "macro_autoreply"
    visitor_nudge_probability: float = 0.3  # "anyone there?" while waiting
    abandon_while_waiting_probability: float = 0.12
    patience_minutes_median: float = 6.0
    human_extra_rounds_mean: float = 1.4
    # how a human-handled conversation ends: agent / visitor / system resolve, or timeout
    human_ending_shares: tuple[tuple[str, float], ...] = (
        ("agent", 0.75),
        ("visitor", 0.10),
        ("system", 0.10),
        ("no_reply_timeout", 0.05),
    )
    system_autoresolve_hours: float = 24.0
    no_reply_timeout_minutes: float = 30.0
    reopen_probability: float = 0.08  # of human-resolved conversations; one reopen at most
    reopen_delay_hours_median: float = 8.0
    reopen_delay_sigma: float = 1.0
    followup_probability: float = 0.15  # agent follow-up email when the email is known
    # CSAT: P(good = rating >= 4) = sigmoid(intercept - slope * ln(1 + first human minutes)
    #        - bot_first_arm_penalty) ; bot-resolved use bot_resolved_intercept
    csat_submit_probability: float = 0.35
    csat_intercept: float = 2.0
    csat_slope_per_log_minute: float = 0.45
    csat_bot_resolved_intercept: float = 1.0
    csat_bot_first_arm_penalty: float = 0.6
    csat_five_given_good: float = 0.6
    csat_bad_rating_weights: tuple[float, float, float] = (0.35, 0.25, 0.40)  # 1, 2, 3
    csat_comment_probability: float = 0.4
    csat_comment_pii_probability: float = 0.15
    # tags
    tag_probabilities: tuple[tuple[str, float], ...] = (
        ("issue_type", 0.9),
        ("intent", 0.7),
        ("sentiment", 0.5),
        ("outcome", 0.6),
    )
    # text mess
    visitor_pii_probability: float = 0.04  # a visitor message contains email / phone / card
    abusive_message_probability: float = 0.01


@dataclass(frozen=True)
class CommerceConfig:
    base_purchase_probability: float = 0.03  # per visitor, times the source multiplier
    max_purchase_probability: float = 0.95
    chat_purchase_lift: float = 0.05  # absolute, for visitors with a started conversation
    proactive_treatment_purchase_lift: float = 0.012  # absolute, direct effect of the prompt
    qa_purchase_probability: float = 0.5
    purchase_kinds: tuple[tuple[str, float], ...] = (
        ("shopify_order", 0.35),
        ("stripe_course", 0.25),
        ("stripe_membership", 0.20),
        ("patreon_membership", 0.20),
    )
    # delay from the anchor (first chat for chatters, a random session otherwise) to the
    # purchase: (from_days, to_days, share), uniform within a bucket
    chat_to_purchase_delay_buckets: tuple[tuple[float, float, float], ...] = (
        (0.007, 1.0, 0.40),
        (1.0, 7.0, 0.30),
        (7.0, 30.0, 0.20),
        (30.0, 60.0, 0.10),
    )
    nonchat_to_purchase_delay_buckets: tuple[tuple[float, float, float], ...] = (
        (0.007, 1.0, 0.50),
        (1.0, 7.0, 0.30),
        (7.0, 30.0, 0.20),
    )
    stripe_refund_probability: float = 0.08
    stripe_full_refund_share: float = 0.6
    charge_declined_first_probability: float = 0.04
    shopify_refund_probability: float = 0.07
    shopify_full_refund_share: float = 0.5
    shopify_abandoned_then_completed_probability: float = 0.25
    abandoned_checkout_probability_nonbuyer: float = 0.01
    subscription_monthly_cancel_probability: float = 0.12
    patreon_monthly_cancel_probability: float = 0.08
    patreon_declined_probability: float = 0.04
    patreon_annual_share: float = 0.1
    patreon_preexisting_members_per_1000_visitors: float = 4.0
    currency_factors: tuple[tuple[str, float], ...] = (
        ("USD", 1.0),
        ("EUR", 0.95),
        ("GBP", 0.8),
        ("CAD", 1.35),
        ("AUD", 1.5),
    )
    tiers: tuple[tuple[str, float, float], ...] = (  # name, USD per month, share
        ("Supporter", 5.0, 0.5),
        ("Insider", 12.0, 0.35),
        ("VIP", 30.0, 0.15),
    )
    shop_timezone_offset: str = "-04:00"


@dataclass(frozen=True)
class CrmConfig:
    newsletter_signup_probability: float = 0.05
    sponsorship_form_probability: float = 0.004
    sponsorship_chat_probability: float = 0.02  # of visitors with a chat
    chat_contact_probability: float = 0.7  # of visitors who identified in chat
    purchaser_contact_probability: float = 0.5
    deal_probability: float = 0.8  # of sponsorship inquiries
    deal_stages: tuple[str, ...] = (
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
    )
    deal_advance_probability: float = 0.72  # per stage; otherwise closedlost
    deal_stage_days_median: float = 3.0
    deal_stage_sigma: float = 0.7
    deal_amount_usd_range: tuple[float, float] = (500.0, 12000.0)
    contact_deleted_probability: float = 0.01


@dataclass(frozen=True)
class ExperimentSpec:
    experiment_id: str
    variants: tuple[str, ...]
    planned_split: tuple[float, ...]
    actual_split: tuple[float, ...]  # the split the (possibly broken) delivery really uses
    population: str
    description: str


@dataclass(frozen=True)
class ExperimentsConfig:
    proactive_prompt: ExperimentSpec = ExperimentSpec(
        "proactive_prompt",
        ("control", "treatment"),
        (0.5, 0.5),
        (0.5, 0.5),
        "visitors in chat_holdout=exposed",
        "treatment shows a proactive chat prompt: higher chat open rate and purchase rate",
    )
    bot_first: ExperimentSpec = ExperimentSpec(
        "bot_first",
        ("bot_first", "human_first"),
        (0.5, 0.5),
        (0.5, 0.5),
        "visitors in chat_holdout=exposed",
        "bot answers first vs straight to the human queue: no purchase effect, lower CSAT "
        "in bot_first",
    )
    chat_holdout: ExperimentSpec = ExperimentSpec(
        "chat_holdout",
        ("exposed", "holdout"),
        (0.9, 0.1),
        (0.9, 0.1),
        "all visitors",
        "holdout visitors never see the chat widget",
    )
    srm_check: ExperimentSpec = ExperimentSpec(
        "srm_check",
        ("control", "treatment"),
        (0.5, 0.5),
        (0.55, 0.45),
        "all visitors",
        "planned 50/50 but the delivery is broken: a sample ratio mismatch, no real effect",
    )
    assignment_lead_ms: tuple[int, int] = (200, 1500)  # assigned this long before 1st page


@dataclass(frozen=True)
class MessConfig:
    duplicate_exact_probability: float = 0.004
    duplicate_new_received_at_probability: float = 0.003
    late_event_probability: float = 0.003
    late_event_days: tuple[float, float] = (1.0, 5.0)
    out_of_order_probability: float = 0.002
    truncated_json_probability: float = 0.0005
    missing_anonymous_id_per_day: float = 1.0  # crawler widget views without anonymousId
    orphan_conversation_probability: float = 0.003  # Chat Opened lost
    malformed_pageview_probability: float = 0.0002
    messy_email_probability: float = 0.35  # case / whitespace variants
    orphan_refunds: int = 1
    orphan_deal_contacts: int = 1
    # every kind of mess appears at least this many times on a run big enough to carry it
    minimum_per_kind: int = 1


@dataclass(frozen=True)
class GeneratorConfig:
    traffic: TrafficConfig = field(default_factory=TrafficConfig)
    chat: ChatConfig = field(default_factory=ChatConfig)
    commerce: CommerceConfig = field(default_factory=CommerceConfig)
    crm: CrmConfig = field(default_factory=CrmConfig)
    experiments: ExperimentsConfig = field(default_factory=ExperimentsConfig)
    mess: MessConfig = field(default_factory=MessConfig)


DEFAULT_CONFIG = GeneratorConfig()


@dataclass(frozen=True)
class RunOptions:
    out: Path
    seed: int = 42
    days: int = 28
    start_date: dt.date = dt.date(2026, 9, 1)
    conversations: int | None = 600
    messages: int | None = None
    force: bool = False

    def arguments(self) -> dict:
        """The arguments that shape the data (not the output path)."""
        return {
            "conversations": self.conversations,
            "days": self.days,
            "messages": self.messages,
            "seed": self.seed,
            "start_date": self.start_date.isoformat(),
        }
