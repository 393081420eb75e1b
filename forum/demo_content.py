"""Demo content for the community-of-practice forum.

Pure data: members, threads and nested replies used to seed a demo
instance. All people and organisations are fictional; all links point at
example.org / example.com.
"""

from __future__ import annotations

from typing import Any

MEMBERS: list[dict[str, Any]] = [
    {
        "username": "helen_marsh",
        "display_name": "Helen Marsh",
        "bio": (
            "Network coordinator at the Riverside Voluntary Action charity "
            "and the person who keeps this forum running. Happiest with a "
            "spreadsheet, a cup of tea and a tricky question about impact."
        ),
        "role": "admin",
    },
    {
        "username": "gwenllian_ap",
        "display_name": "Gwenllian ap Rhys",
        "bio": (
            "Evaluation lead at Cwm Taf Carers Trust, a small charity in the "
            "Valleys. I moderate here and love helping people turn good "
            "intentions into evidence."
        ),
        "role": "moderator",
    },
    {
        "username": "tunde_adeyemi",
        "display_name": "Tunde Adeyemi",
        "bio": (
            "Performance and insight officer at Northfield Borough Council, "
            "working on the community outcomes framework. Moderator, data "
            "protection nerd and occasional baker."
        ),
        "role": "moderator",
    },
    {
        "username": "morag_maclean",
        "display_name": "Mòrag MacLean",
        "bio": (
            "Project manager at Eilean Community Link, a charity supporting "
            "older people across the islands. Interested in measuring "
            "loneliness without making anyone feel like a statistic."
        ),
        "role": "member",
    },
    {
        "username": "sion_evans",
        "display_name": "Siôn Evans",
        "bio": (
            "Volunteer coordinator at Tŷ Gobaith Youth Project in Swansea. "
            "I look after about 80 volunteers and a very full shared calendar."
        ),
        "role": "member",
    },
    {
        "username": "priya_shah",
        "display_name": "Priya Shah",
        "bio": (
            "Patient experience and involvement manager at Eastvale NHS "
            "Foundation Trust. Passionate about co-production with people "
            "who use our services."
        ),
        "role": "member",
    },
    {
        "username": "dan_whitfield",
        "display_name": "Dan Whitfield",
        "bio": (
            "Tenant engagement officer at Harbourside Homes housing "
            "association. I run our resident surveys and try to make them "
            "less painful for everyone."
        ),
        "role": "member",
    },
    {
        "username": "aisha_bello",
        "display_name": "Aisha Bello",
        "bio": (
            "Impact and learning officer at Bright Futures, a youth mentoring "
            "charity in Birmingham. Theory of change enthusiast."
        ),
        "role": "member",
    },
    {
        "username": "tom_kerr",
        "display_name": "Tom Kerr",
        "bio": (
            "Freelance evaluator working mostly with small charities and "
            "community groups in the North East. Fond of logic models and "
            "plain English."
        ),
        "role": "member",
    },
    {
        "username": "siobhan_doyle",
        "display_name": "Siobhán Doyle",
        "bio": (
            "Peer researcher with lived experience of homelessness, now "
            "working part-time at Open Door Belfast. I want evaluation to be "
            "done with people, not to them."
        ),
        "role": "member",
    },
    {
        "username": "fatima_hussain",
        "display_name": "Fatima Hussain",
        "bio": (
            "Grants and reporting manager at the Leeds Food Partnership "
            "charity. I write a lot of funder reports and read even more "
            "guidance notes."
        ),
        "role": "member",
    },
    {
        "username": "george_pennington",
        "display_name": "George Pennington",
        "bio": (
            "Public health analyst at Westmere County Council. Recently moved "
            "over from the NHS and still learning the local government "
            "acronyms."
        ),
        "role": "member",
    },
]


THREADS: list[dict[str, Any]] = [
    # ------------------------------------------------------------------
    # welcome
    # ------------------------------------------------------------------
    {
        "title": "Welcome! Start here and introduce yourself 👋",
        "channels": ["welcome"],
        "author": "gwenllian_ap",
        "pinned": True,
        "body": (
            "Croeso — welcome to the forum! This is a friendly space for "
            "people in charities, councils, health services and housing who "
            "care about evaluation, tools and the values behind our work.\n\n"
            "We’d love you to start a thread here introducing yourself. "
            "A few prompts if you’re not sure what to say:\n\n"
            "- **Who you are** and what your role involves\n"
            "- **Where you work** (or volunteer) and who you support\n"
            "- **What you hope to share** — or what you’re hoping to learn\n\n"
            "How the forum works:\n\n"
            "1. Post in the channel that fits best; a thread can sit in "
            "more than one channel if it genuinely belongs in both.\n"
            "2. Reply to a specific comment to keep conversations tidy.\n"
            "3. Be kind, assume good intent, and never share anything that "
            "could identify the people you support.\n\n"
            "There are no silly questions here. Diolch yn fawr for joining us!"
        ),
        "replies": [
            {
                "author": "helen_marsh",
                "body": (
                    "Thanks Gwenllian, lovely post. Newcomers: if you get "
                    "stuck with anything technical, just reply here and one "
                    "of us will help."
                ),
                "replies": [],
            },
            {
                "author": "tunde_adeyemi",
                "body": (
                    "Adding one tip: you can edit your display name and bio "
                    "from your profile page. A line about your organisation "
                    "really helps people know who they’re talking to."
                ),
                "replies": [
                    {
                        "author": "george_pennington",
                        "body": (
                            "Just did this — thanks Tunde. Much easier than I "
                            "expected."
                        ),
                        "replies": [],
                    },
                ],
            },
        ],
    },
    {
        "title": "Hello from the islands — Mòrag from Eilean Community Link",
        "channels": ["welcome"],
        "author": "morag_maclean",
        "pinned": False,
        "body": (
            "Hello everyone, I’m Mòrag and I manage a befriending project "
            "for older people across a scattering of islands. Our funder has "
            "asked us to show the difference we make to loneliness, and "
            "honestly I’m not sure where to begin. I’m hoping to learn from "
            "people who’ve done this before, and I can share a lot about "
            "running services where the ferry timetable is the real boss 😄"
        ),
        "replies": [
            {
                "author": "gwenllian_ap",
                "body": (
                    "Ceud mìle fàilte, Mòrag! Lovely to have you here. There’s "
                    "a good thread on measuring wellbeing in the "
                    "*Evaluation & impact* channel that might be a gentle "
                    "starting point."
                ),
                "replies": [
                    {
                        "author": "morag_maclean",
                        "body": (
                            "Tapadh leibh! I’ll have a read tonight. It’s "
                            "nice to be welcomed in Gaelic, I wasn’t "
                            "expecting that."
                        ),
                        "replies": [],
                    },
                ],
            },
            {
                "author": "sion_evans",
                "body": (
                    "Welcome from Swansea! We use a short loneliness question "
                    "set with our young volunteers’ befriendees — happy to "
                    "compare notes whenever suits."
                ),
                "replies": [],
            },
            {
                "author": "tom_kerr",
                "body": (
                    "Hi Mòrag. One small suggestion: before choosing any "
                    "measure, write down in a sentence or two what "
                    "“less lonely” looks like for the people you support. It "
                    "makes every later decision easier."
                ),
                "replies": [],
            },
        ],
    },
    {
        "title": "New here: Priya, patient involvement at an NHS trust",
        "channels": ["welcome"],
        "author": "priya_shah",
        "pinned": False,
        "body": (
            "Hi all, I’m Priya and I lead patient experience and involvement "
            "at Eastvale NHS Foundation Trust. Most of my week is spent "
            "trying to make sure patients and carers shape services rather "
            "than just comment on them afterwards. I’m keen to hear how "
            "charities pay and support people with lived experience, "
            "because the NHS processes can be *very* slow. Looking forward "
            "to learning from you all."
        ),
        "replies": [
            {
                "author": "siobhan_doyle",
                "body": (
                    "Welcome Priya! As someone who has been on the other side "
                    "of those slow payment processes, thank you for caring "
                    "about it. Happy to share what has worked for me."
                ),
                "replies": [
                    {
                        "author": "priya_shah",
                        "body": (
                            "That would be brilliant, Siobhán. I’ll start a "
                            "thread once I’ve settled in."
                        ),
                        "replies": [],
                    },
                ],
            },
            {
                "author": "helen_marsh",
                "body": (
                    "Great to have health colleagues here, Priya. You’ll find "
                    "George has just made the jump from the NHS to a council, "
                    "so you’re in good company."
                ),
                "replies": [],
            },
            {
                "author": "george_pennington",
                "body": (
                    "Hello fellow NHS person (well, ex-NHS now)! Shout if you "
                    "ever want to compare notes on involvement payments — it "
                    "was a long saga at my old trust."
                ),
                "replies": [],
            },
        ],
    },
    # ------------------------------------------------------------------
    # announcements
    # ------------------------------------------------------------------
    {
        "title": "Announcement: community guidelines and our first online meet-up",
        "channels": ["announcements"],
        "author": "helen_marsh",
        "pinned": True,
        "body": (
            "Hello everyone — two quick bits of news.\n\n"
            "**Community guidelines.** We’ve written a short set of "
            "[community guidelines](https://example.org/forum/guidelines). "
            "The headline is simple: be kind, be curious, and protect the "
            "privacy of the people we support.\n\n"
            "**First online meet-up.** Our first informal call is on the "
            "first Thursday of next month, 12:30–13:30. The plan:\n\n"
            "1. Ten minutes of introductions\n"
            "2. A short talk on *writing outcomes people actually recognise*\n"
            "3. Open discussion and questions\n\n"
            "It’s free, and you can join with camera off. Sign up via "
            "the [events page](https://example.org/forum/events)."
        ),
        "replies": [
            {
                "author": "fatima_hussain",
                "body": (
                    "Signed up! Will the talk be recorded? Lunchtimes are "
                    "tricky on distribution days."
                ),
                "replies": [
                    {
                        "author": "helen_marsh",
                        "body": (
                            "Yes, we’ll record the talk (not the discussion) "
                            "and post the link here afterwards."
                        ),
                        "replies": [],
                    },
                ],
            },
            {
                "author": "dan_whitfield",
                "body": "Looking forward to it — count me in 🙂",
                "replies": [],
            },
        ],
    },
    # ------------------------------------------------------------------
    # three-channel thread with a deep reply chain
    # ------------------------------------------------------------------
    {
        "title": (
            "Co-producing a theory of change with people with lived "
            "experience: what worked for you?"
        ),
        "channels": ["tools-methods", "evaluation-impact", "values-principles"],
        "author": "aisha_bello",
        "pinned": False,
        "body": (
            "We’re refreshing our **theory of change** at Bright Futures and "
            "this time we want young people to shape it from the start, not "
            "just sign it off at the end. I’ve seen plenty of diagrams that "
            "look great but mean nothing to the people they describe.\n\n"
            "> “If the young people can’t explain it, it isn’t our theory "
            "of change — it’s our funding bid.”\n\n"
            "That’s a line from one of our mentors that has stuck with me. "
            "How have you run workshops, paid people fairly, and handled "
            "disagreements about what counts as an outcome?"
        ),
        "replies": [
            {
                "author": "siobhan_doyle",
                "body": (
                    "Start with stories, not boxes. When we did ours, we "
                    "asked people to describe a good day and a bad day, and "
                    "the outcomes came out of those stories. The "
                    "arrows-and-boxes bit came much later."
                ),
                "replies": [
                    {
                        "author": "aisha_bello",
                        "body": (
                            "I love that. Did staff and lived experience "
                            "members do the storytelling together, or "
                            "separately first?"
                        ),
                        "replies": [
                            {
                                "author": "siobhan_doyle",
                                "body": (
                                    "Separately first, then together. Mixed "
                                    "groups straight away meant staff did "
                                    "most of the talking, even with the best "
                                    "intentions."
                                ),
                                "replies": [
                                    {
                                        "author": "priya_shah",
                                        "body": (
                                            "Same experience in the NHS. We "
                                            "now give people with lived "
                                            "experience the first and last "
                                            "word in every session, which "
                                            "sounds small but changes the "
                                            "whole feel of the room."
                                        ),
                                        "replies": [
                                            {
                                                "author": "aisha_bello",
                                                "body": (
                                                    "Stealing that, thank "
                                                    "you. How do you handle "
                                                    "it when the first word "
                                                    "is a criticism of the "
                                                    "service?"
                                                ),
                                                "replies": [
                                                    {
                                                        "author": "priya_shah",
                                                        "body": (
                                                            "We write it up "
                                                            "on the wall and "
                                                            "come back to it "
                                                            "before we close. "
                                                            "Often the "
                                                            "criticism turns "
                                                            "out to be the "
                                                            "most useful "
                                                            "outcome we hadn’t "
                                                            "named yet."
                                                        ),
                                                        "replies": [],
                                                    },
                                                ],
                                            },
                                        ],
                                    },
                                ],
                            },
                        ],
                    },
                ],
            },
            {
                "author": "tom_kerr",
                "body": (
                    "On payment: agree a rate *before* the first session and "
                    "put it in writing. I’d suggest at least £25 an hour "
                    "plus travel, and offer vouchers as an alternative for "
                    "people worried about benefits. There’s a decent "
                    "checklist at [this involvement payments guide]"
                    "(https://example.org/guides/involvement-payments)."
                ),
                "replies": [
                    {
                        "author": "fatima_hussain",
                        "body": (
                            "Good shout on benefits. We also budget £150 per "
                            "workshop for food and childcare — it makes a "
                            "real difference to who can turn up."
                        ),
                        "replies": [],
                    },
                ],
            },
            {
                "author": "gwenllian_ap",
                "body": (
                    "Moderator hat off for a second: we found it helped to "
                    "agree upfront that the theory of change is a **living "
                    "document**. People relaxed once they knew their "
                    "disagreements could be revisited in six months rather "
                    "than settled forever in one afternoon."
                ),
                "replies": [],
            },
        ],
    },
    # ------------------------------------------------------------------
    # tools-methods
    # ------------------------------------------------------------------
    {
        "title": "Logic model or theory of change? When do you use which?",
        "channels": ["tools-methods"],
        "author": "tom_kerr",
        "pinned": False,
        "body": (
            "I get asked this a lot by small charities, so I thought I’d "
            "share my rough rule of thumb and see if others agree.\n\n"
            "- A **logic model** is a tidy, linear summary: inputs, "
            "activities, outputs, outcomes. Great for a funding bid or a "
            "monitoring plan.\n"
            "- A **theory of change** explains *why* you think the "
            "activities lead to the outcomes, including the assumptions and "
            "the context.\n\n"
            "In practice I often build the theory of change first, then "
            "boil it down into a logic model for reporting. What do you all "
            "do?"
        ),
        "replies": [
            {
                "author": "aisha_bello",
                "body": (
                    "Pretty much the same. The logic model is the “front of "
                    "the fridge” version; the theory of change is the recipe "
                    "book."
                ),
                "replies": [
                    {
                        "author": "tom_kerr",
                        "body": "That’s a brilliant analogy, I’m borrowing it.",
                        "replies": [],
                    },
                ],
            },
            {
                "author": "george_pennington",
                "body": (
                    "In the council we’re often handed a logic model template "
                    "by commissioners. The assumptions column is usually the "
                    "one left blank, which is exactly the one that matters."
                ),
                "replies": [
                    {
                        "author": "tunde_adeyemi",
                        "body": (
                            "Guilty as charged 😅 We’re redoing our template "
                            "this year and I’ll push to make assumptions a "
                            "required section."
                        ),
                        "replies": [],
                    },
                ],
            },
            {
                "author": "sion_evans",
                "body": (
                    "As a non-evaluator, the logic model was the thing that "
                    "finally made sense to our trustees. Sometimes simple "
                    "wins."
                ),
                "replies": [],
            },
        ],
    },
    {
        "title": "Survey tools for small organisations: what are you using?",
        "channels": ["tools-methods"],
        "author": "dan_whitfield",
        "pinned": False,
        "body": (
            "Our housing association’s survey licence is up for renewal and "
            "it’s £2,400 a year, which feels a lot for four surveys. I’m "
            "looking for something that handles accessible forms, works "
            "well on phones and lets us store data in the UK. What are you "
            "using, and what do you wish you’d known before you chose it?"
        ),
        "replies": [
            {
                "author": "tunde_adeyemi",
                "body": (
                    "Before comparing tools, check where the data is hosted "
                    "and whether the supplier will sign a data processing "
                    "agreement. The comparison grid we use at the council is "
                    "here: https://example.org/guide — feel free to reuse it."
                ),
                "replies": [
                    {
                        "author": "dan_whitfield",
                        "body": (
                            "This is really useful, thank you. I hadn’t even "
                            "thought about the processing agreement."
                        ),
                        "replies": [],
                    },
                ],
            },
            {
                "author": "fatima_hussain",
                "body": (
                    "We switched to a cheaper tool last year and the thing I "
                    "wish I’d checked was export format. Make sure you can "
                    "get a clean CSV out, with one row per response and "
                    "sensible column names."
                ),
                "replies": [],
            },
            {
                "author": "morag_maclean",
                "body": (
                    "Don’t forget paper! Half our members would never fill "
                    "in an online form. We post surveys with a freepost "
                    "envelope and a volunteer types them up."
                ),
                "replies": [
                    {
                        "author": "dan_whitfield",
                        "body": (
                            "Good reminder. A lot of our older tenants are "
                            "the same — we’ll keep a paper option."
                        ),
                        "replies": [],
                    },
                ],
            },
        ],
    },
    # ------------------------------------------------------------------
    # evaluation-impact
    # ------------------------------------------------------------------
    {
        "title": "Measuring wellbeing with WEMWBS: tips on scoring and reporting",
        "channels": ["evaluation-impact"],
        "author": "gwenllian_ap",
        "pinned": False,
        "body": (
            "Several of you have asked about the Warwick-Edinburgh Mental "
            "Wellbeing Scale, so here’s how we handle it. We use the short "
            "seven-item version (SWEMWBS) at the start and end of our carers’ "
            "programme, and we always check the licence terms first.\n\n"
            "We keep the raw answers in a simple sheet like this, one row "
            "per person per time point:\n\n"
            "```csv\n"
            "participant_id,time_point,date,q1,q2,q3,q4,q5,q6,q7\n"
            "C014,baseline,2024-03-04,3,2,3,3,2,3,2\n"
            "C014,follow_up,2024-06-10,4,3,3,4,3,4,3\n"
            "```\n\n"
            "We add up the items in a `raw_total` column and convert it with "
            "the official table, rather than reporting raw scores. "
            "Remember it’s a *self-report* measure, so pair it with "
            "conversations about what changed."
        ),
        "replies": [
            {
                "author": "morag_maclean",
                "body": (
                    "This is exactly what I needed, thank you! How many people "
                    "do you need before the change in scores means much?"
                ),
                "replies": [
                    {
                        "author": "gwenllian_ap",
                        "body": (
                            "With small numbers, I’d report how many people "
                            "improved, stayed the same or got worse, rather "
                            "than an average. Be honest that it’s indicative, "
                            "not proof."
                        ),
                        "replies": [
                            {
                                "author": "tom_kerr",
                                "body": (
                                    "Agree. And say how many people didn’t "
                                    "complete a follow-up — funders respect "
                                    "that more than a suspiciously perfect "
                                    "response rate."
                                ),
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
            {
                "author": "siobhan_doyle",
                "body": (
                    "One thing from lived experience: some of the statements "
                    "can feel heavy if you’re going through a rough patch. "
                    "Give people the option to skip, and tell them why "
                    "you’re asking."
                ),
                "replies": [],
            },
            {
                "author": "priya_shah",
                "body": (
                    "We use the same scale in a community mental health "
                    "service. Asking people to fill it in with a worker they "
                    "trust, rather than by post, roughly doubled our "
                    "completion rate."
                ),
                "replies": [],
            },
        ],
    },
    {
        "title": "Reporting to funders: how do you keep it honest and useful?",
        "channels": ["evaluation-impact"],
        "author": "fatima_hussain",
        "pinned": False,
        "body": (
            "I’ve got three end-of-grant reports due this quarter, from a "
            "£5,000 community fund grant up to a £120,000 three-year award. "
            "Each funder wants slightly different numbers, in slightly "
            "different formats.\n\n"
            "My current approach:\n\n"
            "1. Keep **one** core monitoring dataset for the whole charity\n"
            "2. Map each funder’s questions onto it at the start of the grant\n"
            "3. Write the story first, then add the numbers that support it\n\n"
            "How do you report things that *didn’t* go to plan without "
            "worrying about the next application?"
        ),
        "replies": [
            {
                "author": "helen_marsh",
                "body": (
                    "In my experience, funders trust you more when you name "
                    "what didn’t work and what you changed as a result. A "
                    "short “what we learned” section does a lot of heavy "
                    "lifting."
                ),
                "replies": [
                    {
                        "author": "fatima_hussain",
                        "body": (
                            "That matches what our biggest funder told us at "
                            "a review meeting. It still feels risky with the "
                            "smaller ones, though."
                        ),
                        "replies": [],
                    },
                ],
            },
            {
                "author": "aisha_bello",
                "body": (
                    "We ask funders early if they’ll accept a shared report "
                    "format. Surprisingly often the answer is yes, and it "
                    "saves days of work."
                ),
                "replies": [],
            },
            {
                "author": "tom_kerr",
                "body": (
                    "Your step 3 is the big one. Numbers without a story are "
                    "hard to read; a story without numbers is hard to trust."
                ),
                "replies": [],
            },
            {
                "author": "george_pennington",
                "body": (
                    "From the commissioning side: please tell us about the "
                    "unexpected outcomes too. They often tell us more about a "
                    "service than the targets we set."
                ),
                "replies": [],
            },
        ],
    },
    {
        "title": "Putting a value on volunteer time — what rate do you use?",
        "channels": ["evaluation-impact", "general-chat"],
        "author": "sion_evans",
        "pinned": False,
        "body": (
            "Our trustees want the annual report to show the value of "
            "volunteer time. Last year our volunteers gave roughly 6,200 "
            "hours. If we use £12.50 an hour that’s £77,500, but I’ve seen "
            "other charities use much higher rates for skilled roles. Is "
            "there a sensible, defensible way to do this — and should we be "
            "doing it at all?"
        ),
        "replies": [
            {
                "author": "tunde_adeyemi",
                "body": (
                    "Whatever rate you pick, state it clearly and say where "
                    "it comes from. A single transparent figure beats a "
                    "complicated one nobody can check."
                ),
                "replies": [],
            },
            {
                "author": "siobhan_doyle",
                "body": (
                    "I’d gently add: a money figure isn’t the whole story. "
                    "Many volunteers I know would rather be described by "
                    "what they made possible than by what they “saved”."
                ),
                "replies": [
                    {
                        "author": "sion_evans",
                        "body": (
                            "Fair point. Maybe one number and a couple of "
                            "short volunteer quotes alongside it."
                        ),
                        "replies": [
                            {
                                "author": "siobhan_doyle",
                                "body": "That feels like a good balance 👍",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
            {
                "author": "dan_whitfield",
                "body": (
                    "We use different rates for general and specialist roles "
                    "(e.g. £12.50 vs £25 for our volunteer debt advisers) and "
                    "explain both in a footnote."
                ),
                "replies": [],
            },
        ],
    },
    {
        "title": "Fitting our work into the council’s new outcomes framework",
        "channels": ["evaluation-impact", "tools-methods"],
        "author": "george_pennington",
        "pinned": False,
        "body": (
            "Westmere is launching a borough-wide **outcomes framework** and "
            "we’ll be asking commissioned charities to report against it. I "
            "want to avoid the classic mistake of inventing a dozen new "
            "indicators nobody already collects. If you’ve been on the "
            "receiving end of one of these, what made it bearable — or "
            "what made it awful?"
        ),
        "replies": [
            {
                "author": "fatima_hussain",
                "body": (
                    "Bearable: when the council asked what we already "
                    "collected and mapped it for us. Awful: a 40-indicator "
                    "template for a £10,000 contract."
                ),
                "replies": [
                    {
                        "author": "george_pennington",
                        "body": (
                            "Ouch. Noted — proportionate reporting is going "
                            "straight into the principles section."
                        ),
                        "replies": [],
                    },
                ],
            },
            {
                "author": "tunde_adeyemi",
                "body": (
                    "We piloted ours with five organisations before rolling "
                    "out, and cut the indicator list in half as a result. "
                    "Happy to share our write-up: "
                    "[Northfield outcomes pilot](https://example.com/northfield/outcomes-pilot)."
                ),
                "replies": [],
            },
            {
                "author": "aisha_bello",
                "body": (
                    "Please include space for qualitative evidence. Some of "
                    "our most important outcomes — trust, confidence, "
                    "belonging — don’t fit neatly into a number."
                ),
                "replies": [],
            },
        ],
    },
    # ------------------------------------------------------------------
    # values-principles
    # ------------------------------------------------------------------
    {
        "title": "Consent and data protection for case studies",
        "channels": ["values-principles", "tools-methods"],
        "author": "tunde_adeyemi",
        "pinned": False,
        "body": (
            "Case studies are one of the most powerful things we share, and "
            "one of the easiest ways to get data protection wrong. A few "
            "habits I’d recommend:\n\n"
            "- Ask for consent for a **specific use**, not “anything, "
            "forever”\n"
            "- Let people read and change their story before it goes out\n"
            "- Change names *and* details that could identify someone in a "
            "small community\n"
            "- Record when consent was given and how to withdraw it\n\n"
            "What else would you add?"
        ),
        "replies": [
            {
                "author": "morag_maclean",
                "body": (
                    "The small community point is huge for us. On an island "
                    "of 400 people, “a retired fisherman in his 80s” is "
                    "basically a name and address."
                ),
                "replies": [
                    {
                        "author": "tunde_adeyemi",
                        "body": (
                            "Exactly. Sometimes the safest option is a "
                            "composite story, clearly labelled as one."
                        ),
                        "replies": [],
                    },
                ],
            },
            {
                "author": "priya_shah",
                "body": (
                    "We also check consent again if a story is going to be "
                    "used somewhere new, like a press release. People’s "
                    "circumstances change."
                ),
                "replies": [],
            },
            {
                "author": "siobhan_doyle",
                "body": (
                    "Please offer people the chance to tell their story in "
                    "their own words, too. Being edited into a ‘journey’ "
                    "can feel like losing ownership of your own life."
                ),
                "replies": [],
            },
        ],
    },
    {
        "title": "What does values-led practice look like on an ordinary Tuesday?",
        "channels": ["values-principles"],
        "author": "priya_shah",
        "pinned": False,
        "body": (
            "Most organisations have values on the wall — respect, "
            "inclusion, integrity — but I’m more interested in the small "
            "everyday decisions. For example, we’ve started paying "
            "involvement members on the day rather than 30 days later, "
            "because waiting a month for £40 is a real hardship. What are "
            "the small, practical things your team does that show your "
            "values in action?"
        ),
        "replies": [
            {
                "author": "sion_evans",
                "body": (
                    "We reimburse volunteer expenses in cash on the day, no "
                    "receipts needed under £10. It says “we trust you” more "
                    "than any poster."
                ),
                "replies": [],
            },
            {
                "author": "dan_whitfield",
                "body": (
                    "We stopped calling people “hard to reach”. If we "
                    "haven’t reached them, that’s on us — so now we say "
                    "*easy to overlook*."
                ),
                "replies": [
                    {
                        "author": "aisha_bello",
                        "body": (
                            "Love this. Language shapes so much of how we "
                            "design services."
                        ),
                        "replies": [],
                    },
                ],
            },
            {
                "author": "gwenllian_ap",
                "body": (
                    "We offer every form and meeting in Welsh and English, "
                    "and we don’t make people ask for it. Small thing, but "
                    "it sets the tone."
                ),
                "replies": [],
            },
        ],
    },
    # ------------------------------------------------------------------
    # general-chat
    # ------------------------------------------------------------------
    {
        "title": "Friday wins: share something that went well this week 🎉",
        "channels": ["general-chat"],
        "author": "helen_marsh",
        "pinned": False,
        "body": (
            "Evaluation work can feel like an endless to-do list, so let’s "
            "celebrate the good bits. Big or small, what went well for you "
            "this week? I’ll start: our network finally agreed a shared "
            "definition of “volunteer”, after only three meetings."
        ),
        "replies": [
            {
                "author": "fatima_hussain",
                "body": (
                    "Submitted two funder reports a day early. I don’t think "
                    "that has ever happened before."
                ),
                "replies": [],
            },
            {
                "author": "morag_maclean",
                "body": (
                    "A member told me our phone calls are “the best part of "
                    "her week”. No survey needed for that one."
                ),
                "replies": [
                    {
                        "author": "helen_marsh",
                        "body": "That’s lovely, Mòrag. Worth more than any chart.",
                        "replies": [],
                    },
                ],
            },
            {
                "author": "george_pennington",
                "body": (
                    "I learned what three more council acronyms mean. "
                    "Progress is progress."
                ),
                "replies": [],
            },
        ],
    },
]
