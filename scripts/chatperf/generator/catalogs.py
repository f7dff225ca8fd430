"""Catalogs (texts, names, pages, products): flavour, not planted numbers."""

FIRST_NAMES = (
    "Ana", "Ben", "Chloe", "David", "Emma", "Farah", "Gabriel", "Hana", "Ivan", "Julia",
    "Kenji", "Laura", "Mateo", "Nina", "Omar", "Priya", "Quentin", "Rosa", "Samuel", "Tara",
    "Umar", "Valentina", "William", "Xin", "Yara", "Zoe", "Lucas", "Mia", "Noah", "Olivia",
    "Aarav", "Sofia", "Liam", "Isabel", "Jonas", "Elif",
)  # fmt: skip
LAST_NAMES = (
    "Ruiz", "Smith", "Müller", "Dubois", "Rossi", "Khan", "Patel", "Nguyen", "Kowalski",
    "Silva", "Johnson", "Brown", "Garcia", "Martin", "Schmidt", "Tanaka", "O'Brien",
    "Andersen", "Costa", "Novak", "Ibrahim", "Lopez", "Walker", "Fischer", "Moreau",
    "Sato", "Haddad", "Jensen", "Okafor", "Rahman",
)  # fmt: skip
EMAIL_DOMAINS = (("gmail.com", 0.45), ("outlook.com", 0.15), ("yahoo.com", 0.1),
                 ("icloud.com", 0.12), ("proton.me", 0.05), ("gmx.de", 0.05),
                 ("studio-mail.co", 0.08))  # fmt: skip

BLOG_SLUGS = (
    "how-i-edit-videos", "best-camera-2026", "thumbnail-secrets", "growing-to-100k",
    "lighting-on-a-budget", "my-podcast-setup", "sponsorship-rates", "color-grading-101",
    "travel-vlog-kit", "writing-scripts", "audio-tips", "creator-taxes",
)  # fmt: skip
COURSES = (
    ("editing-masterclass", "Editing Masterclass", 99.0),
    ("thumbnail-bootcamp", "Thumbnail Design Bootcamp", 49.0),
    ("creator-business", "Creator Business Course", 199.0),
    ("color-grading", "Color Grading Deep Dive", 79.0),
)
SUPPORT_ARTICLES = ("login-help", "refund-policy", "shipping", "membership-tiers",
                    "download-issues", "billing")  # fmt: skip
PRODUCTS = (
    ("logo-hoodie", "Logo Hoodie", 55.0),
    ("sticker-pack", "Sticker Pack", 9.0),
    ("lut-preset-bundle", "LUT Preset Bundle", 29.0),
    ("camera-strap", "Camera Strap", 35.0),
    ("field-notebook", "Field Notebook", 15.0),
)


def _page_catalog() -> tuple[tuple[str, float], ...]:
    pages: list[tuple[str, float]] = [("/", 0.18), ("/pricing", 0.08), ("/membership", 0.08)]
    pages += [(f"/blog/{s}", 0.30 / len(BLOG_SLUGS)) for s in BLOG_SLUGS]
    pages += [(f"/courses/{c[0]}", 0.10 / len(COURSES)) for c in COURSES]
    pages += [(f"/support/{s}", 0.08 / len(SUPPORT_ARTICLES)) for s in SUPPORT_ARTICLES]
    pages += [(f"/shop/{p[0]}", 0.08 / len(PRODUCTS)) for p in PRODUCTS]
    pages += [("/community", 0.06), ("/about", 0.04)]
    return tuple(pages)


PAGES = _page_catalog()

# topic: (bot intent, issue_type tag, weight for non-buyers, weight for buyers)
TOPICS: dict[str, tuple[str, str, float, float]] = {
    "pricing": ("pricing_question", "billing", 0.16, 0.28),
    "membership": ("membership_info", "membership", 0.14, 0.24),
    "course": ("course_info", "content", 0.12, 0.22),
    "order_status": ("order_status", "shipping", 0.12, 0.06),
    "refund": ("refund_request", "billing", 0.08, 0.04),
    "account_access": ("account_access", "access", 0.14, 0.06),
    "technical": ("technical_issue", "technical", 0.10, 0.04),
    "community": ("community_info", "other", 0.12, 0.05),
    "sponsorship": ("sponsorship_inquiry", "sponsorship", 0.02, 0.01),
}
TOPIC_INTENT_TAG = {
    "pricing": "purchase", "membership": "purchase", "course": "purchase",
    "order_status": "support", "refund": "support", "account_access": "support",
    "technical": "support", "community": "community", "sponsorship": "lead",
}  # fmt: skip

VISITOR_OPENERS: dict[str, tuple[str, ...]] = {
    "pricing": ("How much is the annual membership?", "Is there a student discount?",
                "Do you have a bundle price for all courses?", "What does the Insider tier cost?"),
    "membership": ("What do I get with the Insider tier?", "Can I switch from Supporter to VIP?",
                   "Is the membership billed monthly?", "Do members get the presets too?"),
    "course": ("Does the editing course include lifetime access?",
               "When does the next cohort start?", "Is the course good for beginners?",
               "Can I get an invoice for the course?"),
    "order_status": ("Where is my order? It has been 10 days", "My hoodie hasn't arrived yet",
                     "Can I change the shipping address on my order?"),
    "refund": ("I'd like a refund for the course", "I was charged twice this month",
               "How do I cancel and get my money back?"),
    "account_access": ("I can't log in to the community", "My password reset email never comes",
                       "The members area says my subscription expired"),
    "technical": ("The video lessons won't load", "The LUT download link is broken",
                  "Audio is out of sync in lesson 4"),
    "community": ("How do I join the Discord?", "When is the next live Q&A?",
                  "Is there a meetup in Berlin?"),
    "sponsorship": ("We'd love to sponsor your channel, who should I talk to?",
                    "Hi, I'm with a camera brand, do you do sponsored videos?",
                    "What are your rates for a dedicated video?"),
}  # fmt: skip
VISITOR_FOLLOWUPS = (
    "Ok thanks, and what about the annual plan?", "That doesn't really answer my question",
    "Got it. Is that the same for Europe?", "Sure, one more thing", "I already tried that",
    "Ok", "Can you check again please?", "Perfect, and how long does it take?",
)  # fmt: skip
VISITOR_NUDGES = ("Hello?", "Anyone there?", "Still waiting...", "hi??")
VISITOR_THANKS = ("Thanks, that helped!", "Great, thank you", "Perfect, all good now", "thx!")
VISITOR_HANDOFF = ("Can I talk to a human please?", "I want to speak to a real person",
                   "agent", "This bot isn't helping, can someone from the team reply?")  # fmt: skip
VISITOR_REOPEN = ("Hi again, the problem is back", "Sorry, one more question about my order",
                  "It stopped working again", "Actually I still need help with this")  # fmt: skip
ABUSIVE = (("abuse", "this is a total scam, you idiots"),
           ("abuse", "answer me already you useless clowns"),
           ("spam", "BUY CHEAP FOLLOWERS NOW at cheap-followers.biz"),
           ("spam", "earn $5000/week from home, dm me"))  # fmt: skip
BOT_ANSWERS: dict[str, tuple[str, ...]] = {
    "pricing": ("Memberships start at 5 USD a month; the annual plan saves two months.",
                "Students get 30% off with a valid school email."),
    "membership": ("Insider includes all presets, monthly live Q&As and the private Discord.",
                   "You can change tiers any time from your account page."),
    "course": ("All courses include lifetime access and future updates.",
               "The next cohort starts on the first Monday of the month."),
    "order_status": ("Orders ship within 3 business days; here is the tracking page.",
                     "I can see your order is on its way."),
    "refund": ("Courses can be refunded within 14 days of purchase.",
               "I can help with that: refunds are processed within 5 business days."),
    "account_access": ("Try resetting your password from the login page.",
                       "Please log out and back in to refresh your membership."),
    "technical": ("Clearing the browser cache usually fixes video playback.",
                  "I've re-sent the download link to your email."),
    "community": ("You'll find the Discord invite in the members area.",
                  "Live Q&As happen every second Thursday at 18:00 UTC."),
    "sponsorship": ("Thanks for your interest! Our partnerships team handles sponsorships.",
                    "Please share your brand and budget and we'll get back to you."),
}  # fmt: skip
AGENT_FIRST = ("Hi! Thanks for waiting, let me look into this for you.",
               "Hey, this is {agent} from the team, happy to help.",
               "Hi there, sorry for the wait! Checking now.",
               "Hello! Let me pull up your account.")  # fmt: skip
AGENT_REPLIES = ("Done, you should see it now.", "I've fixed that on our side.",
                 "Could you tell me the email you used at checkout?",
                 "I've issued that for you, it can take a few days to show.",
                 "Good question, yes that's included.", "Let me check with the team.",
                 "Try again now please.")  # fmt: skip
BOT_HANDOFF_NOTE = "I'm connecting you with a member of our team. They'll reply here."
MACRO_TEXT = "Thanks for your message! Our team is offline right now and replies within a day."
SYSTEM_JOINED = "{agent} joined the conversation"
SYSTEM_AUTORESOLVED = "Conversation closed automatically after 24 hours without activity"
CSAT_GOOD = ("Quick and helpful!", "Great support, thanks", "Solved my problem",
             "The bot was surprisingly useful")  # fmt: skip
CSAT_BAD = ("Took forever to get an answer", "Didn't solve anything",
            "The bot kept looping", "Too slow")  # fmt: skip
PHONES = ("+1 (415) 555-0134", "+49 170 1234567", "07700 900461", "+91 98765 43210",
          "+44 20 7946 0958", "(312) 555-0199")  # fmt: skip
CARDS = ("4242 4242 4242 4242", "4111111111111111", "5555-5555-5555-4444",
         "4000 0566 5566 5556")  # fmt: skip
SENTIMENTS = (("positive", 0.45), ("neutral", 0.35), ("negative", 0.20))
PATREON_STATUS_ACTIVE = "Active patron"
FORMS = {  # form kind: (HubSpot form guid, title, page)
    "newsletter": ("5f1a0e2c-2c1f-4d2a-9a53-0e7c1b2a3d41", "Newsletter signup", "/newsletter"),
    "sponsorship": ("b7d3a9e4-8e21-4c0b-b1f7-6a2d9c0e4f12", "Sponsorship inquiry",
                    "/sponsorships"),
}  # fmt: skip
