"""The Okafor family: who they are, what they celebrate, and what they wish for. Data only."""

from dataclasses import dataclass, field

HOUSEHOLD = "The Okafors"
TIMEZONE = "Europe/London"
PASSWORD = "wrap-it-up-2024"


@dataclass(frozen=True)
class Member:
    key: str
    name: str
    email_local: str
    role: str  # admin, adult, child


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    member: str | None = None  # the member this person is
    birthday: str | None = None  # the first one, ISO date; it comes back every year
    interests: tuple[str, ...] = ()
    sizes: dict[str, str] = field(default_factory=dict)
    notes: str | None = None


@dataclass(frozen=True)
class Occasion:
    key: str
    name: str
    kind: str
    date: str
    people: tuple[str, ...]
    recurs_yearly: bool = True
    notes: str | None = None


@dataclass(frozen=True)
class Wish:
    title: str
    price: str
    currency: str = "GBP"
    tags: tuple[str, ...] = ()
    quantity: int = 1
    group: bool = False  # big enough for co-gifters to chip in
    santa: bool = False
    notes: str | None = None
    priority: str = "normal"  # most_wanted or nice_to_have: set by the wisher on their own list


@dataclass(frozen=True)
class GiftList:
    """A list for `person`, made by `author`; `giver` claims and buys from it."""

    person: str
    kind: str  # wish, idea
    name: str
    occasion: str | None
    author: str
    givers: tuple[str, ...]
    wishes: tuple[Wish, ...]


MEMBERS = (
    Member("maya", "Maya Okafor", "maya.okafor", "admin"),
    Member("daniel", "Daniel Okafor", "daniel.okafor", "adult"),
    Member("grace", "Grace Okafor", "grace.okafor", "adult"),
    Member("ruth", "Ruth Bennett", "ruth.bennett", "adult"),
    Member("leo", "Leo Okafor", "leo.okafor", "child"),
)

PEOPLE = (
    Person(
        "maya",
        "Maya",
        "maya",
        "1986-09-21",
        ("pottery", "running", "crime novels"),
        {"shoe": "39", "top": "M"},
    ),
    Person(
        "daniel",
        "Daniel",
        "daniel",
        "1984-11-30",
        ("cycling", "coffee", "jazz"),
        {"shirt": "L", "shoe": "44"},
    ),
    Person(
        "leo",
        "Leo",
        "leo",
        "2013-06-02",
        ("lego", "football", "space"),
        {"shirt": "age 12-13", "shoe": "37"},
    ),
    Person(
        "zoe",
        "Zoe",
        None,
        "2018-03-14",
        ("unicorns", "drawing", "swimming"),
        {"dress": "age 7-8", "shoe": "30"},
        "Allergic to nickel: no cheap jewellery.",
    ),
    Person(
        "grace", "Grandma Grace", "grace", "1954-01-08", ("gardening", "crosswords", "gospel music")
    ),
    Person(
        "samuel",
        "Grandpa Samuel",
        None,
        "1951-05-19",
        ("chess", "history", "fishing"),
        {"jumper": "XL"},
    ),
    Person(
        "joan",
        "Nana Joan",
        None,
        "1957-12-03",
        ("baking", "birdwatching", "audiobooks"),
        notes="Lives in Cardiff; post parcels by the 18th for Christmas.",
    ),
    Person(
        "ruth", "Aunt Ruth", "ruth", "1989-02-11", ("yoga", "houseplants", "podcasts"), {"top": "S"}
    ),
    Person(
        "tom",
        "Uncle Tom",
        None,
        "1987-10-02",
        ("board games", "barbecue", "rugby"),
        {"shirt": "XL"},
    ),
    Person("ivy", "Ivy", None, "2016-04-27", ("ballet", "animals", "slime"), {"dress": "age 9-10"}),
    Person(
        "max",
        "Max",
        None,
        "2010-08-05",
        ("gaming", "skateboarding", "guitar"),
        {"hoodie": "S", "shoe": "41"},
    ),
    Person(
        "priya",
        "Ms Patel",
        None,
        None,
        ("tea", "gardening"),
        notes="Zoe's teacher; a small thank-you only.",
    ),
)

OCCASIONS = (
    Occasion(
        "christmas",
        "Christmas",
        "christmas",
        "2024-12-25",
        ("maya", "daniel", "leo", "zoe", "grace", "samuel", "joan", "ruth", "tom", "ivy", "max"),
    ),
    Occasion("zoe_birthday", "Zoe's birthday", "birthday", "2018-03-14", ("zoe",)),
    Occasion("leo_birthday", "Leo's birthday", "birthday", "2013-06-02", ("leo",)),
    Occasion("maya_birthday", "Maya's birthday", "birthday", "1986-09-21", ("maya",)),
    Occasion("daniel_birthday", "Daniel's birthday", "birthday", "1984-11-30", ("daniel",)),
    Occasion("grace_birthday", "Grandma Grace's birthday", "birthday", "1954-01-08", ("grace",)),
    Occasion("ivy_birthday", "Ivy's birthday", "birthday", "2016-04-27", ("ivy",)),
    Occasion("max_birthday", "Max's birthday", "birthday", "2010-08-05", ("max",)),
    Occasion(
        "anniversary",
        "Maya & Daniel's anniversary",
        "anniversary",
        "2011-07-12",
        ("maya", "daniel"),
        notes="Fifteenth is crystal, if anyone is counting.",
    ),
    Occasion(
        "golden", "Grace & Samuel's anniversary", "anniversary", "1976-10-10", ("grace", "samuel")
    ),
    Occasion(
        "end_of_term",
        "End of school year",
        "other",
        "2025-07-18",
        ("priya",),
        recurs_yearly=False,
        notes="Class collection for Ms Patel.",
    ),
)

EVERYONE = ("maya", "daniel", "grace", "ruth")
PARENTS = ("maya", "daniel")

LISTS = (
    GiftList(
        "zoe",
        "wish",
        "Zoe's birthday wishes",
        "zoe_birthday",
        "maya",
        ("maya", "daniel", "grace", "ruth"),
        (
            Wish("Unicorn colouring set with 48 pens", "14.99", tags=("art", "unicorns")),
            Wish("Swimming goggles (pink)", "8.50", tags=("swimming",)),
            Wish("Sylvanian Families treehouse", "54.99", tags=("toys",), group=True),
            Wish("Glow-in-the-dark star stickers", "6.99", tags=("bedroom",), quantity=2),
            Wish("The Worst Witch book set", "22.00", tags=("books",)),
            Wish("Roller skates, size 30-33", "39.99", tags=("outdoor",)),
            Wish("Hama bead mega tub", "12.49", tags=("art", "crafts")),
            Wish("Unicorn onesie", "19.00", tags=("clothes", "unicorns")),
        ),
    ),
    GiftList(
        "zoe",
        "idea",
        "Santa's list for Zoe",
        "christmas",
        "daniel",
        ("maya", "daniel"),
        (
            Wish("Toniebox starter set", "79.99", tags=("audio",), group=True, santa=True),
            Wish("Drawing tablet for kids", "34.99", tags=("art",), santa=True),
            Wish(
                "Swimming lessons voucher (10 weeks)",
                "85.00",
                tags=("swimming", "experience"),
                group=True,
            ),
            Wish("Unicorn slippers", "15.00", tags=("clothes", "unicorns"), santa=True),
            Wish("Advent calendar (chocolate-free)", "24.99", tags=("christmas",)),
            Wish("Magnetic tiles, 60 pieces", "44.99", "EUR", tags=("toys",), santa=True),
            Wish("Snow globe with her name", "18.50", tags=("personalised",)),
        ),
    ),
    GiftList(
        "leo",
        "wish",
        "Leo's birthday list",
        "leo_birthday",
        "leo",
        ("maya", "daniel", "grace", "ruth"),
        (
            Wish(
                "LEGO Technic Mars rover",
                "89.99",
                tags=("lego", "space"),
                group=True,
                priority="most_wanted",
            ),
            Wish(
                "Arsenal home shirt 24/25",
                "64.99",
                tags=("football", "clothes"),
                notes="Size age 12-13, name SAKA 7",
            ),
            Wish("Football boots, size 37", "49.99", tags=("football",)),
            Wish("Star map poster that glows", "16.99", tags=("space", "bedroom")),
            Wish("Wireless earbuds", "39.00", tags=("tech",)),
            Wish("Diary of a Wimpy Kid: newest", "8.99", tags=("books",), priority="nice_to_have"),
            Wish("Rubik's cube 4x4", "14.50", tags=("puzzles",)),
            Wish("Telescope for beginners", "119.00", tags=("space",), group=True),
        ),
    ),
    GiftList(
        "leo",
        "idea",
        "Christmas ideas for Leo",
        "christmas",
        "daniel",
        ("maya", "daniel", "grace"),
        (
            Wish("Football training cones and ladder", "19.99", tags=("football",)),
            Wish("National Geographic Kids subscription", "45.00", tags=("books", "space")),
            Wish("Climbing wall session for two", "30.00", tags=("experience",)),
            Wish("LEGO Star Wars advent calendar", "29.99", tags=("lego", "christmas")),
            Wish("Warm gloves with touchscreen tips", "12.00", tags=("clothes",)),
            Wish("Nintendo Switch game: Mario Kart", "49.99", tags=("games",)),
        ),
    ),
    GiftList(
        "maya",
        "wish",
        "Maya's wish list",
        "maya_birthday",
        "maya",
        ("daniel", "grace", "ruth", "leo"),
        (
            Wish(
                "Pottery wheel class, Saturday mornings",
                "120.00",
                tags=("pottery", "experience"),
                group=True,
            ),
            Wish(
                "Running vest with bottle pockets",
                "45.00",
                tags=("running",),
                priority="most_wanted",
            ),
            Wish("Louise Penny: the newest Gamache", "20.00", tags=("books",)),
            Wish("Linen apron", "28.00", tags=("pottery", "clothes")),
            Wish("Noise-cancelling headphones", "199.00", tags=("tech",), group=True),
            Wish("Hand cream trio", "18.00", tags=("pampering",), priority="nice_to_have"),
            Wish("Monstera in a terracotta pot", "32.50", tags=("houseplants",)),
        ),
    ),
    GiftList(
        "maya",
        "idea",
        "Anniversary ideas for Maya",
        "anniversary",
        "daniel",
        ("daniel",),
        (
            Wish("Crystal wine glasses (pair)", "60.00", tags=("home",)),
            Wish("Weekend in the Cotswolds", "340.00", tags=("experience", "travel")),
            Wish("Framed print of our first flat", "75.00", tags=("personalised",)),
            Wish("Dinner at the Italian place", "90.00", tags=("experience",)),
        ),
    ),
    GiftList(
        "daniel",
        "wish",
        "Daniel's wish list",
        "daniel_birthday",
        "daniel",
        ("maya", "grace", "ruth", "leo"),
        (
            Wish("Bike repair stand", "79.00", tags=("cycling",)),
            Wish("Hand grinder for coffee", "65.00", tags=("coffee",)),
            Wish("Vinyl: Kind of Blue", "24.99", tags=("jazz", "music")),
            Wish("Cycling bib shorts, L", "55.00", tags=("cycling", "clothes")),
            Wish("Single-origin coffee subscription", "36.00", tags=("coffee",)),
            Wish("Waterproof cycling jacket", "110.00", tags=("cycling", "clothes"), group=True),
            Wish("Socks with bikes on them", "9.00", tags=("clothes",), quantity=3),
        ),
    ),
    GiftList(
        "daniel",
        "idea",
        "Anniversary ideas for Daniel",
        "anniversary",
        "maya",
        ("maya",),
        (
            Wish("Jazz club tickets", "70.00", tags=("jazz", "experience")),
            Wish("Engraved bottle opener", "22.00", tags=("personalised",)),
            Wish("Barista course for two", "95.00", tags=("coffee", "experience")),
        ),
    ),
    GiftList(
        "grace",
        "wish",
        "Grandma Grace's wishes",
        "grace_birthday",
        "grace",
        ("maya", "daniel", "ruth", "leo"),
        (
            Wish("Kneeling pad and tool belt", "24.00", tags=("gardening",)),
            Wish("Large-print crossword books", "11.99", tags=("puzzles", "books"), quantity=2),
            Wish("Mahalia Jackson box set", "29.99", tags=("music",)),
            Wish("Rose bush: Gertrude Jekyll", "21.50", tags=("gardening",)),
            Wish("Cosy cardigan, cream", "48.00", tags=("clothes",)),
            Wish("Digital photo frame", "69.00", tags=("tech", "family"), group=True),
            Wish("Garden kneeler bench", "39.00", tags=("gardening",)),
            Wish("Gospel choir concert tickets", "54.00", tags=("music", "experience")),
        ),
    ),
    GiftList(
        "samuel",
        "idea",
        "Ideas for Grandpa Samuel",
        "christmas",
        "maya",
        EVERYONE,
        (
            Wish("Wooden chess set, weighted pieces", "85.00", tags=("chess",), group=True),
            Wish("History of the Windrush book", "25.00", tags=("books", "history")),
            Wish("Fishing day trip voucher", "60.00", tags=("fishing", "experience")),
            Wish("Warm fleece jumper, XL", "35.00", tags=("clothes",)),
            Wish("Audiobook subscription, 6 months", "47.94", tags=("audiobooks",)),
            Wish("Framed family photo", "40.00", tags=("family", "personalised")),
            Wish("Chess puzzles book", "13.99", tags=("chess", "books")),
            Wish("Flask and fishing stool", "42.00", tags=("fishing",)),
        ),
    ),
    GiftList(
        "grace",
        "idea",
        "Golden anniversary for the grandparents",
        "golden",
        "maya",
        ("maya", "daniel", "ruth"),
        (
            Wish("Photo book: 50 years", "55.00", tags=("family", "personalised"), group=True),
            Wish("Gold-rimmed champagne flutes", "45.00", tags=("home",)),
            Wish(
                "Family dinner at the Jamaican place",
                "250.00",
                tags=("experience", "family"),
                group=True,
            ),
        ),
    ),
    GiftList(
        "joan",
        "idea",
        "Christmas for Nana Joan",
        "christmas",
        "maya",
        EVERYONE,
        (
            Wish("Bird feeder with camera", "79.99", tags=("birdwatching", "tech"), group=True),
            Wish("Great British Bake Off cookbook", "22.00", tags=("baking", "books")),
            Wish("RSPB membership", "60.00", tags=("birdwatching",)),
            Wish("Silicone baking mats", "14.99", tags=("baking",)),
            Wish("Audible credit pack", "30.00", tags=("audiobooks",)),
            Wish("Welsh cakes griddle", "34.00", tags=("baking",)),
            Wish("Binoculars, 8x42", "89.00", tags=("birdwatching",), group=True),
        ),
    ),
    GiftList(
        "ruth",
        "wish",
        "Ruth's list",
        "christmas",
        "ruth",
        ("maya", "daniel", "grace"),
        (
            Wish("Cork yoga block pair", "24.00", tags=("yoga",)),
            Wish("String-of-pearls plant", "16.00", tags=("houseplants",)),
            Wish("Podcast mic, USB", "59.00", tags=("podcasts", "tech")),
            Wish("Silk pillowcase", "38.00", tags=("pampering",)),
            Wish("Yoga retreat day", "120.00", tags=("yoga", "experience"), group=True),
            Wish("Self-watering planters (set of 3)", "27.50", tags=("houseplants",)),
            Wish("Podcast listening notebook", "12.00", tags=("podcasts",)),
        ),
    ),
    GiftList(
        "tom",
        "idea",
        "Ideas for Uncle Tom",
        "christmas",
        "ruth",
        ("maya", "daniel", "ruth"),
        (
            Wish("Wingspan board game", "52.00", tags=("board games",)),
            Wish("Meat thermometer, wireless", "39.99", tags=("barbecue",)),
            Wish("Six Nations tickets", "180.00", tags=("rugby", "experience"), group=True),
            Wish("Hot sauce tasting set", "25.00", "EUR", tags=("barbecue",)),
            Wish("Ticket to Ride: Europe", "39.99", tags=("board games",)),
            Wish("Rugby club scarf", "20.00", tags=("rugby", "clothes")),
            Wish("Barbecue apron with his name", "24.00", tags=("barbecue", "personalised")),
        ),
    ),
    GiftList(
        "ivy",
        "idea",
        "Ideas for Ivy",
        "ivy_birthday",
        "ruth",
        ("maya", "daniel", "grace", "ruth"),
        (
            Wish("Ballet bag with her name", "21.00", tags=("ballet", "personalised")),
            Wish("Adopt-a-penguin pack", "48.00", tags=("animals",)),
            Wish("Slime kit deluxe", "19.99", tags=("crafts",)),
            Wish("Ballet shoes, size 28", "18.00", tags=("ballet", "clothes")),
            Wish("Zoo keeper for a day", "99.00", tags=("animals", "experience"), group=True),
            Wish("Animal encyclopedia", "16.99", tags=("books", "animals")),
        ),
    ),
    GiftList(
        "max",
        "idea",
        "Ideas for Max",
        "max_birthday",
        "ruth",
        ("maya", "daniel", "grace", "ruth"),
        (
            Wish("Skateboard deck, 8 inch", "65.00", tags=("skateboarding",)),
            Wish("Guitar lessons, 5 sessions", "110.00", tags=("guitar", "experience"), group=True),
            Wish("Gaming headset", "59.99", "USD", tags=("gaming", "tech")),
            Wish("Capo and picks set", "12.00", tags=("guitar",)),
            Wish("Skate park pass", "30.00", tags=("skateboarding", "experience")),
            Wish("Hoodie, size S", "35.00", tags=("clothes",)),
            Wish("Guitar strap with his initials", "22.00", tags=("guitar", "personalised")),
        ),
    ),
    GiftList(
        "priya",
        "idea",
        "Thank-you for Ms Patel",
        "end_of_term",
        "maya",
        PARENTS,
        (
            Wish("Loose-leaf tea sampler", "18.00", tags=("tea",)),
            Wish("Card signed by the class", "3.50", tags=("handmade",)),
            Wish("Seed collection for a cottage garden", "12.00", tags=("gardening",)),
        ),
    ),
)

# on some gifts the family talks it over; `surprise` keeps a comment from the gift's recipients
COMMENTS = (
    (
        "Toniebox starter set",
        "grace",
        "I can get the figures from the market in Brixton, cheaper.",
        True,
    ),
    (
        "Telescope for beginners",
        "daniel",
        "Let's split this three ways with Grandma and Ruth?",
        True,
    ),
    (
        "Noise-cancelling headphones",
        "ruth",
        "Saw these on sale last week, will keep an eye out.",
        True,
    ),
    ("Six Nations tickets", "daniel", "Tom would go mad for these. England v Wales?", True),
    ("Bird feeder with camera", "maya", "Nana's wifi reaches the garden, I checked.", True),
    ("Arsenal home shirt 24/25", "leo", "It HAS to be the home one, not the away one!!", False),
)


@dataclass(frozen=True)
class Task:
    title: str
    assignee: str
    occasion: str | None = (
        None  # due `days_before` its next date; without one, due in `days_before` days
    )
    days_before: int = 0
    person: str | None = None
    reminders: tuple[str, ...] = ("P1D",)
    rrule: str | None = None
    recurrence_mode: str = "from_due"
    rotation: tuple[str, ...] = ()  # members taking turns, in order (round-robin)


TASKS = (
    Task("Order Zoe's birthday cake", "maya", "zoe_birthday", 5, person="zoe"),
    Task(
        "Post Nana Joan's parcel to Cardiff",
        "daniel",
        "christmas",
        7,
        person="joan",
        reminders=("P2D", "PT3H"),
    ),
    Task("Wrap the Christmas presents", "maya", "christmas", 2, reminders=("P1D",)),
    Task("Book the table for the anniversary dinner", "daniel", "anniversary", 14),
    Task("Collect class money for Ms Patel", "maya", "end_of_term", 3, person="priya"),
    Task(
        "Write the birthday cards for the month",
        "grace",
        None,
        3,
        reminders=("PT2H",),
        rrule="FREQ=MONTHLY;BYMONTHDAY=1",
    ),
    Task("Tidy Leo's room before the party", "leo", "leo_birthday", 1),
    Task(
        "Take the recycling out",
        "daniel",
        None,
        1,
        reminders=("PT2H",),
        rrule="FREQ=DAILY;INTERVAL=3",
        recurrence_mode="from_completion",
        rotation=("daniel", "maya", "leo"),
    ),
)
