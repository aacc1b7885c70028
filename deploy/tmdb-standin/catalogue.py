# catalogue.py: the TMDb stand-in's hand-made film catalogue and the builders of TMDb-shaped JSON.
#
# Facts (TMDb id, title, primary release date, runtime, TMDb genre ids, IMDb id, leads,
# directors) are those of the real films. Overviews and taglines are written here (not TMDb's
# text). Popularity and votes are plausible fixed numbers. Image paths, video keys, credit ids
# and most person ids are stand-in values, except the few copied from the recordings in
# shared/docs/tmdb-api.md (Fight Club, Star Wars).

import datetime
import hashlib

GENRES = [
	(28, "Action"), (12, "Adventure"), (16, "Animation"), (35, "Comedy"), (80, "Crime"),
	(99, "Documentary"), (18, "Drama"), (10751, "Family"), (14, "Fantasy"), (36, "History"),
	(27, "Horror"), (10402, "Music"), (9648, "Mystery"), (10749, "Romance"),
	(878, "Science Fiction"), (10770, "TV Movie"), (53, "Thriller"), (10752, "War"),
	(37, "Western"),
]
GENRE_NAME = dict(GENRES)
GENRE_IDS = [g for g, _ in GENRES]

POSTER_SIZES = ["w92", "w154", "w185", "w342", "w500", "w780", "original"]
BACKDROP_SIZES = ["w300", "w780", "w1280", "original"]
LOGO_SIZES = ["w45", "w92", "w154", "w185", "w300", "w500", "original"]
PROFILE_SIZES = ["w45", "w185", "h632", "original"]
STILL_SIZES = ["w92", "w185", "w300", "original"]
ALL_SIZES = set(POSTER_SIZES + BACKDROP_SIZES + LOGO_SIZES + PROFILE_SIZES + STILL_SIZES)

CHANGE_KEYS = [
	"adult", "air_date", "also_known_as", "alternative_titles", "biography", "birthday",
	"budget", "cast", "certifications", "character_names", "created_by", "crew", "deathday",
	"episode", "episode_number", "episode_run_time", "freebase_id", "freebase_mid", "general",
	"genres", "guest_stars", "homepage", "images", "imdb_id", "languages", "name", "network",
	"origin_country", "original_name", "original_title", "overview", "parts",
	"place_of_birth", "plot_keywords", "production_code", "production_companies",
	"production_countries", "releases", "revenue", "runtime", "season", "season_number",
	"season_regular", "spoken_languages", "status", "tagline", "title", "translations",
	"tvdb_id", "tvrage_id", "type", "video", "videos",
]

COUNTRY_NAME = {
	"US": "United States of America", "GB": "United Kingdom", "DE": "Germany",
	"NZ": "New Zealand", "JP": "Japan", "KR": "South Korea", "IT": "Italy",
	"AU": "Australia",
}
LANGUAGE = {
	"en": ("English", "English"), "ja": ("Japanese", "日本語"), "ko": ("Korean", "한국어/조선말"),
	"it": ("Italian", "Italiano"), "de": ("German", "Deutsch"), "pl": ("Polish", "Polski"),
	"he": ("Hebrew", "עִבְרִית"),
}

# Production companies: (id, name, origin_country, logo_path). Logos are null except those
# copied from the Fight Club/Star Wars recordings.
COMPANIES = {
	"lucasfilm": (1, "Lucasfilm Ltd.", "US", "/tlVSws0RvvtPBwViUyOFAO0vcQS.png"),
	"disney": (2, "Walt Disney Pictures", "US", None),
	"pixar": (3, "Pixar", "US", None),
	"paramount": (4, "Paramount Pictures", "US", None),
	"columbia": (5, "Columbia Pictures", "US", None),
	"wingnut": (11, "WingNut Films", "NZ", None),
	"newline": (12, "New Line Cinema", "US", None),
	"miramax": (14, "Miramax", "US", None),
	"fox": (25, "20th Century Fox", "US", "/qZCc1lty5FzX30aOCVRBLzaVmcp.png"),
	"universal": (33, "Universal Pictures", "US", None),
	"roadshow": (79, "Village Roadshow Pictures", "US", None),
	"castlerock": (97, "Castle Rock Entertainment", "US", None),
	"warner": (174, "Warner Bros. Pictures", "US", None),
	"marvel": (420, "Marvel Studios", "US", None),
	"regency": (508, "Regency Enterprises", "US", "/7cxRWzi4LsVm4Utfpr1hfARNurT.png"),
	"fox2000": (711, "Fox 2000 Pictures", "US", "/tEiIH5QesdheJmDAqQwvtN60727.png"),
	"legendary": (923, "Legendary Pictures", "US", None),
	"syncopy": (9996, "Syncopy", "GB", None),
	"ghibli": (10342, "Studio Ghibli", "JP", None),
	"standin": (990001, "Stand-in Pictures", "", None),
}

# Collections: id -> (name, poster_path, backdrop_path).
COLLECTIONS = {
	10: ("Star Wars Collection", "/pWVLFh4OuejTpUaDQbB1C4zoS2p.jpg",
		"/iY2ujEY2m68OTTlPFTiHub9joHS.jpg"),
	119: ("The Lord of the Rings Collection", None, None),
	230: ("The Godfather Collection", None, None),
	263: ("The Dark Knight Collection", None, None),
	2344: ("The Matrix Collection", None, None),
	87096: ("Avatar Collection", None, None),
	86311: ("The Avengers Collection", None, None),
	264: ("Back to the Future Collection", None, None),
	328: ("Jurassic Park Collection", None, None),
	10194: ("Toy Story Collection", None, None),
	84: ("Indiana Jones Collection", None, None),
	1241: ("Harry Potter Collection", None, None),
}

# People: name -> (person id, gender 1=female 2=male, has a profile image). Ids below
# 9,000,000 are believed to be TMDb's; 9,xxx,xxx ids are stand-in numbers.
PEOPLE = {
	"George Lucas": (1, 2, True), "Mark Hamill": (2, 2, True), "Harrison Ford": (3, 2, True),
	"Carrie Fisher": (4, 1, True), "Robert Zemeckis": (24, 2, True), "Tom Hanks": (31, 2, True),
	"Robin Wright": (32, 1, True), "Gary Sinise": (33, 2, True), "Sally Field": (35, 1, True),
	"Bruce Willis": (62, 2, True), "Gary Oldman": (64, 2, True), "Mark Ruffalo": (103, 2, True),
	"Peter Jackson": (108, 2, True), "Elijah Wood": (109, 2, True),
	"Viggo Mortensen": (110, 2, True), "Quentin Tarantino": (138, 2, True),
	"Uma Thurman": (139, 1, True), "Morgan Freeman": (192, 2, True),
	"Kate Winslet": (204, 1, True), "Brad Pitt": (287, 2, True),
	"Robert De Niro": (380, 2, True), "Steven Spielberg": (488, 2, True),
	"Tim Robbins": (504, 2, True), "Christopher Nolan": (525, 2, True),
	"Carrie-Anne Moss": (530, 1, True), "Hayao Miyazaki": (608, 2, True),
	"Edward Norton": (819, 2, True), "Martin Scorsese": (1032, 2, True),
	"Al Pacino": (1158, 2, True), "Scarlett Johansson": (1245, 1, True),
	"Helena Bonham Carter": (1283, 1, True), "Ian McKellen": (1327, 2, True),
	"Hugo Weaving": (1331, 2, True), "Francis Ford Coppola": (1776, 2, True),
	"Heath Ledger": (1810, 2, True), "Anne Hathaway": (1813, 1, True),
	"Samuel L. Jackson": (2231, 2, True), "Ben Kingsley": (2282, 2, True),
	"Tom Hardy": (2524, 2, True), "James Cameron": (2710, 2, True),
	"Laurence Fishburne": (2975, 2, True), "Marlon Brando": (3084, 2, True),
	"Robert Downey Jr.": (3223, 2, True), "Christian Bale": (3894, 2, True),
	"Michael Caine": (3895, 2, True), "Liam Neeson": (3896, 2, True),
	"Frank Darabont": (4027, 2, True), "Ralph Fiennes": (5469, 2, True),
	"Leonardo DiCaprio": (6193, 2, True), "Aaron Eckhart": (6383, 2, True),
	"Keanu Reeves": (6384, 2, True), "David Fincher": (7467, 2, True),
	"Zoe Saldaña": (8691, 1, True), "John Travolta": (8891, 2, True),
	"Lilly Wachowski": (9339, 1, True), "Lana Wachowski": (9340, 1, True),
	"Matthew McConaughey": (10297, 2, True), "Sigourney Weaver": (10205, 1, True),
	"Joss Whedon": (12891, 2, True), "Chris Evans": (16828, 2, True),
	"Anthony Russo": (19271, 2, True), "Joe Russo": (19272, 2, True),
	"Bong Joon-ho": (21684, 2, True), "Joseph Gordon-Levitt": (24045, 2, True),
	"Elliot Page": (27578, 2, True), "Sam Worthington": (65731, 2, True),
	"Chris Hemsworth": (74568, 2, True), "Jessica Chastain": (83002, 1, True),
}
_STANDIN_PEOPLE = [
	("Meat Loaf", 2), ("James Caan", 2), ("Robert Duvall", 2), ("Diane Keaton", 1),
	("Sean Astin", 2), ("Andy Serkis", 2), ("Alec Guinness", 2), ("Billy Dee Williams", 2),
	("Irvin Kershner", 2), ("Richard Marquand", 2), ("Bob Gunton", 2),
	("Michael Clarke Duncan", 2), ("David Morse", 2), ("Ray Liotta", 2), ("Joe Pesci", 2),
	("Lorraine Bracco", 1), ("Gwyneth Paltrow", 1), ("Kevin Spacey", 2),
	("Stephen Lang", 2), ("Rumi Hiiragi", 1), ("Miyu Irino", 2), ("Song Kang-ho", 2),
	("Lee Sun-kyun", 2), ("Cho Yeo-jeong", 1), ("Choi Woo-shik", 2), ("Karen Allen", 1),
	("Paul Freeman", 2), ("Michael J. Fox", 2), ("Christopher Lloyd", 2),
	("Lea Thompson", 1), ("Sam Neill", 2), ("Laura Dern", 1), ("Jeff Goldblum", 2),
	("Richard Attenborough", 2), ("Tim Allen", 2), ("John Lasseter", 2), ("Billy Zane", 2),
	("Rutger Hauer", 2), ("Sean Young", 1), ("Ridley Scott", 2), ("Russell Crowe", 2),
	("Joaquin Phoenix", 2), ("Connie Nielsen", 1), ("Katie Holmes", 1),
	("Jodie Foster", 1), ("Anthony Hopkins", 2), ("Jonathan Demme", 2),
	("Charlize Theron", 1), ("Nicholas Hoult", 2), ("George Miller", 2),
	("Guy Pearce", 2), ("Joe Pantoliano", 2), ("Keir Dullea", 2), ("Gary Lockwood", 2),
	("Douglas Rain", 2), ("Stanley Kubrick", 2), ("Tom Skerritt", 2), ("John Hurt", 2),
	("Arnold Schwarzenegger", 2), ("Linda Hamilton", 1), ("Michael Biehn", 2),
	("Daniel Radcliffe", 2), ("Rupert Grint", 2), ("Emma Watson", 1),
	("Chris Columbus", 2), ("Albert Brooks", 2), ("Ellen DeGeneres", 1),
	("Andrew Stanton", 2), ("Ed Asner", 2), ("Jordan Nagai", 2), ("Pete Docter", 2),
	("Ben Burtt", 2), ("Elissa Knight", 1), ("Henry Fonda", 2), ("Lee J. Cobb", 2),
	("Sidney Lumet", 2), ("Toshiro Mifune", 2), ("Takashi Shimura", 2),
	("Akira Kurosawa", 2), ("Roberto Benigni", 2), ("Nicoletta Braschi", 1),
	("Bobby'); DROP TABLE movies;--", 0), ("Zoë \"Zed\" <Tester> & Co", 3),
	("Stand-in Director", 0),
]
for _n, (_name, _gender) in enumerate(_STANDIN_PEOPLE):
	# A few people without a profile image exercise the nullable profile_path.
	PEOPLE[_name] = (9000001 + _n, _gender,
		_name not in ("Douglas Rain", "Jordan Nagai", "Stand-in Director"))

# Real profile paths from the Fight Club credits recording (§7.5).
KNOWN_PROFILE = {
	819: "/5XBzD5WuTyVQZeS4VI25z2moMeY.jpg", 287: "/cckcYc2v0yh1tc9QjRelptcOBko.jpg",
	1283: "/hJMbNSPJ2PCahsP3rNEU39C8GWU.jpg", 7467: "/yV36WTsLBAGyYVUQshNdI8hyk9l.jpg",
}

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def fake_path(seed, ext=".jpg"):
	"""A TMDb-looking image path ("/" + 27 base62 chars + ext), stable for a seed."""
	n = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
	chars = []
	for _ in range(27):
		n, r = divmod(n, 62)
		chars.append(_B62[r])
	return "/" + "".join(chars) + ext


def fake_hex(seed, length=24):
	"""A stable lowercase hex id such as TMDb's credit_id and video id."""
	return hashlib.sha256(seed.encode()).hexdigest()[:length]


def fake_video_key(seed):
	"""An 11-character YouTube-style key (a placeholder, not a real video)."""
	alphabet = _B62 + "-_"
	n = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
	out = []
	for _ in range(11):
		n, r = divmod(n, 64)
		out.append(alphabet[r])
	return "".join(out)


def _film(fid, title, date, runtime, genres, imdb, overview, directors, cast, *,
		original_title=None, lang="en", countries=("US",), spoken=None, popularity=10.0,
		vote_average=7.0, vote_count=1000, collection=None, companies=(), budget=0,
		revenue=0, tagline="", homepage="", adult=False, status="Released",
		origin_country=True, poster=None, backdrop=None):
	return {
		"id": fid, "title": title, "original_title": original_title or title,
		"original_language": lang, "release_date": date, "runtime": runtime,
		"genre_ids": list(genres), "imdb_id": imdb, "overview": overview,
		"directors": list(directors), "cast": list(cast), "countries": list(countries),
		"spoken": list(spoken or [lang]), "popularity": popularity,
		"vote_average": vote_average, "vote_count": vote_count, "collection": collection,
		"companies": list(companies), "budget": budget, "revenue": revenue,
		"tagline": tagline, "homepage": homepage, "adult": adult, "status": status,
		"origin_country": origin_country,
		"poster_path": poster if poster is not None else fake_path("poster:%d" % fid),
		"backdrop_path": backdrop if backdrop is not None else fake_path("backdrop:%d" % fid),
	}


NO_IMAGE = ""  # marker: _fix_nulls turns it into null

FILMS = [
	_film(550, "Fight Club", "1999-10-15", 139, [18], "tt0137523",
		"An insomniac office worker and a reckless soap maker start an underground boxing "
		"club in a bar basement. The club grows into something far larger and far more "
		"dangerous than either of them planned.",
		["David Fincher"],
		[("Edward Norton", "Narrator"), ("Brad Pitt", "Tyler Durden"),
		 ("Helena Bonham Carter", "Marla Singer"), ("Meat Loaf", "Robert 'Bob' Paulson")],
		countries=("DE", "US"), origin_country=["US"], popularity=93.958, vote_average=8.44,
		vote_count=27917,
		companies=("fox2000", "regency", "fox"), budget=63000000, revenue=100853753,
		tagline="Mischief. Mayhem. Soap.",
		homepage="http://www.foxmovies.com/movies/fight-club",
		poster="/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg",
		backdrop="/hZkgoQYus5vegHoetLkCJzb17zJ.jpg"),
	_film(680, "Pulp Fiction", "1994-09-10", 154, [53, 80], "tt0110912",
		"Two talkative hitmen, a boxer who refuses to throw a fight, a gangster's wife and a "
		"pair of diner robbers cross paths in a looping, out-of-order Los Angeles story.",
		["Quentin Tarantino"],
		[("John Travolta", "Vincent Vega"), ("Samuel L. Jackson", "Jules Winnfield"),
		 ("Uma Thurman", "Mia Wallace"), ("Bruce Willis", "Butch Coolidge")],
		popularity=74.2, vote_average=8.49, vote_count=27310, companies=("miramax",),
		tagline="Just because you are a character doesn't mean you have character."),
	_film(13, "Forrest Gump", "1994-06-23", 142, [35, 18, 10749], "tt0109830",
		"A kind man from Alabama with a slow wit and fast legs drifts through three decades "
		"of American history while never giving up on his childhood sweetheart.",
		["Robert Zemeckis"],
		[("Tom Hanks", "Forrest Gump"), ("Robin Wright", "Jenny Curran"),
		 ("Gary Sinise", "Lieutenant Dan Taylor"), ("Sally Field", "Mrs. Gump")],
		popularity=68.5, vote_average=8.47, vote_count=26800, companies=("paramount",)),
	_film(155, "The Dark Knight", "2008-07-16", 152, [18, 28, 80, 53], "tt0468569",
		"Batman, a determined police lieutenant and a new district attorney try to break "
		"Gotham's mob, until an anarchic criminal in clown make-up turns the city against "
		"itself.",
		["Christopher Nolan"],
		[("Christian Bale", "Bruce Wayne"), ("Heath Ledger", "Joker"),
		 ("Aaron Eckhart", "Harvey Dent"), ("Michael Caine", "Alfred"),
		 ("Gary Oldman", "James Gordon")],
		countries=("GB", "US"), popularity=99.1, vote_average=8.52, vote_count=32100,
		collection=263, companies=("warner", "legendary", "syncopy"),
		tagline="Why so serious?"),
	_film(27205, "Inception", "2010-07-15", 148, [28, 878, 12], "tt1375666",
		"A thief who steals secrets from inside dreams is offered a way home if he can pull "
		"off the reverse: planting an idea deep in a rich heir's mind.",
		["Christopher Nolan"],
		[("Leonardo DiCaprio", "Dom Cobb"), ("Joseph Gordon-Levitt", "Arthur"),
		 ("Elliot Page", "Ariadne"), ("Tom Hardy", "Eames")],
		countries=("GB", "US"), popularity=96.4, vote_average=8.37, vote_count=36500,
		companies=("legendary", "syncopy", "warner"),
		tagline="Your mind is the scene of the crime."),
	_film(603, "The Matrix", "1999-03-31", 136, [28, 878], "tt0133093",
		"A programmer who hacks at night learns that the world he knows is a simulation run "
		"by machines, and joins a small crew of rebels fighting from outside it.",
		["Lana Wachowski", "Lilly Wachowski"],
		[("Keanu Reeves", "Thomas A. Anderson / Neo"), ("Laurence Fishburne", "Morpheus"),
		 ("Carrie-Anne Moss", "Trinity"), ("Hugo Weaving", "Agent Smith")],
		countries=("AU", "US"), popularity=81.7, vote_average=8.21, vote_count=25700,
		collection=2344, companies=("roadshow", "warner"),
		tagline="Welcome to the Real World."),
	_film(278, "The Shawshank Redemption", "1994-09-23", 142, [18, 80], "tt0111161",
		"A banker sentenced to life for a murder he says he did not commit finds friendship "
		"and a quiet kind of hope during two decades inside a Maine prison.",
		["Frank Darabont"],
		[("Tim Robbins", "Andy Dufresne"), ("Morgan Freeman", "Ellis Boyd 'Red' Redding"),
		 ("Bob Gunton", "Warden Samuel Norton")],
		popularity=88.3, vote_average=8.71, vote_count=26900, companies=("castlerock",),
		tagline="Fear can hold you prisoner. Hope can set you free."),
	_film(238, "The Godfather", "1972-03-14", 175, [18, 80], "tt0068646",
		"The ageing head of a New York crime family hands his empire to his reluctant "
		"youngest son, who turns out to be the most ruthless of them all.",
		["Francis Ford Coppola"],
		[("Marlon Brando", "Don Vito Corleone"), ("Al Pacino", "Michael Corleone"),
		 ("James Caan", "Sonny Corleone"), ("Robert Duvall", "Tom Hagen"),
		 ("Diane Keaton", "Kay Adams")],
		popularity=79.6, vote_average=8.69, vote_count=20400, collection=230,
		companies=("paramount",), tagline="An offer you can't refuse."),
	_film(240, "The Godfather Part II", "1974-12-20", 202, [18, 80], "tt0071562",
		"Michael tightens his grip on the family business in the 1950s while the story of "
		"his father's rise in early twentieth-century New York runs alongside.",
		["Francis Ford Coppola"],
		[("Al Pacino", "Michael Corleone"), ("Robert De Niro", "Vito Corleone"),
		 ("Robert Duvall", "Tom Hagen"), ("Diane Keaton", "Kay Corleone")],
		popularity=52.3, vote_average=8.57, vote_count=12300, collection=230,
		companies=("paramount",)),
	_film(157336, "Interstellar", "2014-11-05", 169, [12, 18, 878], "tt0816692",
		"With crops failing across the planet, a former pilot leaves his children to fly "
		"through a wormhole in search of a new home for humanity.",
		["Christopher Nolan"],
		[("Matthew McConaughey", "Cooper"), ("Anne Hathaway", "Brand"),
		 ("Jessica Chastain", "Murph"), ("Michael Caine", "Professor Brand")],
		countries=("GB", "US"), popularity=140.2, vote_average=8.42, vote_count=35900,
		companies=("legendary", "syncopy", "paramount"),
		tagline="Mankind was born on Earth. It was never meant to die here."),
	_film(120, "The Lord of the Rings: The Fellowship of the Ring", "2001-12-18", 179,
		[12, 14, 28], "tt0120737",
		"A young hobbit inherits a ring of terrible power and sets out with eight companions "
		"to carry it to the one place where it can be destroyed.",
		["Peter Jackson"],
		[("Elijah Wood", "Frodo Baggins"), ("Ian McKellen", "Gandalf"),
		 ("Viggo Mortensen", "Aragorn"), ("Sean Astin", "Samwise Gamgee")],
		countries=("NZ", "US"), popularity=90.5, vote_average=8.42, vote_count=25100,
		collection=119, companies=("newline", "wingnut")),
	_film(121, "The Lord of the Rings: The Two Towers", "2002-12-18", 179,
		[12, 14, 28], "tt0167261",
		"The broken fellowship fights on two fronts: Frodo and Sam follow a treacherous guide "
		"toward Mordor while their friends defend a kingdom under siege.",
		["Peter Jackson"],
		[("Elijah Wood", "Frodo Baggins"), ("Ian McKellen", "Gandalf"),
		 ("Viggo Mortensen", "Aragorn"), ("Andy Serkis", "Gollum")],
		countries=("NZ", "US"), popularity=78.9, vote_average=8.39, vote_count=22000,
		collection=119, companies=("newline", "wingnut")),
	_film(122, "The Lord of the Rings: The Return of the King", "2003-12-01", 201,
		[12, 14, 28], "tt0167260",
		"As the armies of the dark lord march on the last free cities of men, two exhausted "
		"hobbits climb the slopes of a volcano to end the war for good.",
		["Peter Jackson"],
		[("Elijah Wood", "Frodo Baggins"), ("Ian McKellen", "Gandalf"),
		 ("Viggo Mortensen", "Aragorn"), ("Sean Astin", "Samwise Gamgee")],
		countries=("NZ", "US"), popularity=85.1, vote_average=8.48, vote_count=24300,
		collection=119, companies=("newline", "wingnut")),
	_film(11, "Star Wars", "1977-05-25", 121, [12, 28, 878], "tt0076759",
		"A farm boy on a desert planet, a smuggler and a captured princess join an old "
		"knight in a desperate plan against an empire's planet-destroying battle station.",
		["George Lucas"],
		[("Mark Hamill", "Luke Skywalker"), ("Harrison Ford", "Han Solo"),
		 ("Carrie Fisher", "Princess Leia Organa"), ("Alec Guinness", "Ben Obi-Wan Kenobi")],
		popularity=20.6912, vote_average=8.2, vote_count=22061, collection=10,
		companies=("lucasfilm", "fox"), budget=11000000, revenue=775398007,
		tagline="A long time ago in a galaxy far, far away...",
		homepage="http://www.starwars.com/films/star-wars-episode-iv-a-new-hope",
		poster="/6FfCtAuVAW8XJjZ7eWeLibRLWTw.jpg",
		backdrop="/2w4xG178RpB4MDAIfTkqAuSJzec.jpg"),
	_film(1891, "The Empire Strikes Back", "1980-05-20", 124, [12, 28, 878], "tt0080684",
		"Driven from their hidden base, the rebels scatter: Luke seeks out a strange old "
		"teacher in a swamp while Han and Leia run from the Empire's fleet.",
		["Irvin Kershner"],
		[("Mark Hamill", "Luke Skywalker"), ("Harrison Ford", "Han Solo"),
		 ("Carrie Fisher", "Princess Leia Organa"),
		 ("Billy Dee Williams", "Lando Calrissian")],
		popularity=31.4, vote_average=8.39, vote_count=17200, collection=10,
		companies=("lucasfilm",)),
	_film(1892, "Return of the Jedi", "1983-05-25", 131, [12, 28, 878], "tt0086190",
		"The rebels gamble everything on an attack on a second battle station while Luke "
		"faces his father in front of the Emperor himself.",
		["Richard Marquand"],
		[("Mark Hamill", "Luke Skywalker"), ("Harrison Ford", "Han Solo"),
		 ("Carrie Fisher", "Princess Leia Organa"),
		 ("Billy Dee Williams", "Lando Calrissian")],
		popularity=27.8, vote_average=7.9, vote_count=15800, collection=10,
		companies=("lucasfilm",)),
	_film(424, "Schindler's List", "1993-12-15", 195, [18, 36, 10752], "tt0108052",
		"A German businessman who came to occupied Poland to profit from the war spends his "
		"fortune to save the Jewish workers in his factory from the camps.",
		["Steven Spielberg"],
		[("Liam Neeson", "Oskar Schindler"), ("Ben Kingsley", "Itzhak Stern"),
		 ("Ralph Fiennes", "Amon Goeth")],
		spoken=("en", "de", "pl", "he"), popularity=45.7, vote_average=8.57,
		vote_count=15900, companies=("universal",)),
	_film(497, "The Green Mile", "1999-12-10", 189, [14, 18, 80], "tt0120689",
		"A death-row guard in 1930s Louisiana comes to believe that a gentle giant awaiting "
		"execution has a miraculous gift.",
		["Frank Darabont"],
		[("Tom Hanks", "Paul Edgecomb"), ("Michael Clarke Duncan", "John Coffey"),
		 ("David Morse", "Brutus 'Brutal' Howell")],
		popularity=60.2, vote_average=8.5, vote_count=17400, companies=("castlerock",)),
	_film(769, "GoodFellas", "1990-09-12", 145, [18, 80], "tt0099685",
		"A boy from Brooklyn grows up running errands for the local mob and lives the high "
		"life for years, until cocaine and paranoia bring it all down.",
		["Martin Scorsese"],
		[("Robert De Niro", "James Conway"), ("Ray Liotta", "Henry Hill"),
		 ("Joe Pesci", "Tommy DeVito"), ("Lorraine Bracco", "Karen Hill")],
		popularity=48.9, vote_average=8.46, vote_count=12800),
	_film(807, "Se7en", "1995-09-22", 127, [80, 9648, 53], "tt0114369",
		"A weary detective a week from retirement and his hot-headed new partner hunt a "
		"killer who stages each murder after one of the seven deadly sins.",
		["David Fincher"],
		[("Brad Pitt", "David Mills"), ("Morgan Freeman", "William Somerset"),
		 ("Gwyneth Paltrow", "Tracy Mills"), ("Kevin Spacey", "John Doe")],
		popularity=55.4, vote_average=8.37, vote_count=20700, companies=("newline",)),
	_film(19995, "Avatar", "2009-12-15", 162, [28, 12, 14, 878], "tt0499549",
		"A paralysed marine sent to a lush moon in a remote body switches sides when the "
		"mining company he works for threatens the home of the native Na'vi.",
		["James Cameron"],
		[("Sam Worthington", "Jake Sully"), ("Zoe Saldaña", "Neytiri"),
		 ("Sigourney Weaver", "Dr. Grace Augustine"), ("Stephen Lang", "Col. Miles Quaritch")],
		countries=("GB", "US"), popularity=112.6, vote_average=7.59, vote_count=31800,
		collection=87096, companies=("fox",), budget=237000000, revenue=2923706026,
		tagline="Enter the world of Pandora."),
	_film(24428, "The Avengers", "2012-04-25", 143, [878, 28, 12], "tt0848228",
		"Six very different heroes are pulled together by a spy agency to stop a banished "
		"god and his alien army from conquering Earth.",
		["Joss Whedon"],
		[("Robert Downey Jr.", "Tony Stark / Iron Man"),
		 ("Chris Evans", "Steve Rogers / Captain America"),
		 ("Mark Ruffalo", "Bruce Banner / The Hulk"), ("Chris Hemsworth", "Thor"),
		 ("Scarlett Johansson", "Natasha Romanoff / Black Widow")],
		popularity=102.3, vote_average=7.71, vote_count=31000, collection=86311,
		companies=("marvel",), tagline="Some assembly required."),
	_film(299534, "Avengers: Endgame", "2019-04-24", 181, [12, 878, 28], "tt4154796",
		"Five years after half of all life vanished, the surviving heroes find one last, "
		"risky chance to undo the loss.",
		["Anthony Russo", "Joe Russo"],
		[("Robert Downey Jr.", "Tony Stark / Iron Man"),
		 ("Chris Evans", "Steve Rogers / Captain America"),
		 ("Mark Ruffalo", "Bruce Banner / Hulk"), ("Chris Hemsworth", "Thor"),
		 ("Scarlett Johansson", "Natasha Romanoff / Black Widow")],
		popularity=150.8, vote_average=8.24, vote_count=25600, collection=86311,
		companies=("marvel",), budget=356000000, revenue=2799439100),
	_film(129, "Spirited Away", "2001-07-20", 125, [16, 10751, 14], "tt0245429",
		"On the way to a new home, a sulky ten-year-old wanders into a spirit world and must "
		"work in a bathhouse for gods to free her parents from a witch's spell.",
		["Hayao Miyazaki"],
		[("Rumi Hiiragi", "Chihiro Ogino (voice)"), ("Miyu Irino", "Haku (voice)")],
		original_title="千と千尋の神隠し", lang="ja", countries=("JP",), popularity=92.4,
		vote_average=8.54, vote_count=16500, companies=("ghibli",)),
	_film(496243, "Parasite", "2019-05-30", 133, [35, 53, 18], "tt6751668",
		"A poor family in Seoul talks its way, one member at a time, into jobs with a "
		"wealthy household, until a secret in the basement upsets the arrangement.",
		["Bong Joon-ho"],
		[("Song Kang-ho", "Kim Ki-taek"), ("Lee Sun-kyun", "Park Dong-ik"),
		 ("Cho Yeo-jeong", "Choi Yeon-gyo"), ("Choi Woo-shik", "Kim Ki-woo")],
		original_title="기생충", lang="ko", countries=("KR",), popularity=84.9,
		vote_average=8.5, vote_count=18900),
	_film(85, "Raiders of the Lost Ark", "1981-06-12", 115, [12, 28], "tt0082971",
		"In 1936 an archaeologist with a bullwhip races a team of Nazi agents across the "
		"world to find the Ark of the Covenant.",
		["Steven Spielberg"],
		[("Harrison Ford", "Indiana Jones"), ("Karen Allen", "Marion Ravenwood"),
		 ("Paul Freeman", "René Belloq")],
		popularity=40.1, vote_average=7.92, vote_count=12400, collection=84,
		companies=("lucasfilm", "paramount")),
	_film(105, "Back to the Future", "1985-07-03", 116, [12, 35, 878], "tt0088763",
		"A teenager is sent thirty years into the past in a friend's time machine and has "
		"to make sure his parents still fall in love, or he will never be born.",
		["Robert Zemeckis"],
		[("Michael J. Fox", "Marty McFly"), ("Christopher Lloyd", "Dr. Emmett Brown"),
		 ("Lea Thompson", "Lorraine Baines")],
		popularity=51.6, vote_average=8.32, vote_count=19800, collection=264,
		companies=("universal",)),
	_film(329, "Jurassic Park", "1993-06-11", 127, [12, 878], "tt0107290",
		"A billionaire invites scientists to preview his island park of cloned dinosaurs, "
		"and the power goes out during a storm.",
		["Steven Spielberg"],
		[("Sam Neill", "Alan Grant"), ("Laura Dern", "Ellie Sattler"),
		 ("Jeff Goldblum", "Ian Malcolm"), ("Richard Attenborough", "John Hammond")],
		popularity=47.3, vote_average=7.95, vote_count=16300, collection=328,
		companies=("universal",)),
	_film(862, "Toy Story", "1995-11-22", 81, [16, 12, 10751, 35], "tt0114709",
		"A cowboy doll who has always been his owner's favourite feels threatened when a "
		"shiny space-ranger action figure arrives for the boy's birthday.",
		["John Lasseter"],
		[("Tom Hanks", "Woody (voice)"), ("Tim Allen", "Buzz Lightyear (voice)")],
		popularity=63.2, vote_average=7.97, vote_count=18100, collection=10194,
		companies=("pixar",)),
	_film(597, "Titanic", "1997-11-18", 194, [18, 10749], "tt0120338",
		"A penniless artist and an engaged young woman from first class fall in love on the "
		"maiden voyage of a liner that is about to meet an iceberg.",
		["James Cameron"],
		[("Leonardo DiCaprio", "Jack Dawson"), ("Kate Winslet", "Rose DeWitt Bukater"),
		 ("Billy Zane", "Cal Hockley")],
		popularity=88.8, vote_average=7.9, vote_count=25200, companies=("paramount", "fox")),
	_film(78, "Blade Runner", "1982-06-25", 117, [878, 18, 53], "tt0083658",
		"In a rain-soaked Los Angeles of 2019, a retired cop is ordered to track down four "
		"artificial humans who have come back to Earth looking for more life.",
		["Ridley Scott"],
		[("Harrison Ford", "Rick Deckard"), ("Rutger Hauer", "Roy Batty"),
		 ("Sean Young", "Rachael")],
		popularity=38.7, vote_average=7.94, vote_count=13700, companies=("warner",)),
	_film(98, "Gladiator", "2000-05-01", 155, [28, 18, 12], "tt0172495",
		"A Roman general betrayed by the emperor's jealous son is sold into slavery and "
		"fights his way through the arenas toward revenge in Rome itself.",
		["Ridley Scott"],
		[("Russell Crowe", "Maximus"), ("Joaquin Phoenix", "Commodus"),
		 ("Connie Nielsen", "Lucilla")],
		countries=("GB", "US"), popularity=70.5, vote_average=8.22, vote_count=19400,
		companies=("universal",)),
	_film(272, "Batman Begins", "2005-06-10", 140, [28, 80, 18], "tt0372784",
		"After years abroad learning to fight, a young heir returns to a corrupt Gotham and "
		"invents a masked identity to frighten its criminals.",
		["Christopher Nolan"],
		[("Christian Bale", "Bruce Wayne / Batman"), ("Michael Caine", "Alfred Pennyworth"),
		 ("Liam Neeson", "Henri Ducard"), ("Katie Holmes", "Rachel Dawes")],
		countries=("GB", "US"), popularity=58.8, vote_average=7.7, vote_count=21000,
		collection=263, companies=("warner", "legendary", "syncopy")),
	_film(274, "The Silence of the Lambs", "1991-02-14", 119, [80, 18, 53], "tt0102926",
		"A trainee FBI agent seeks the help of an imprisoned psychiatrist and cannibal to "
		"catch a serial killer who is still at large.",
		["Jonathan Demme"],
		[("Jodie Foster", "Clarice Starling"), ("Anthony Hopkins", "Dr. Hannibal Lecter")],
		popularity=46.2, vote_average=8.34, vote_count=16900),
	_film(76341, "Mad Max: Fury Road", "2015-05-13", 121, [28, 12, 878], "tt1392190",
		"In a desert wasteland, a drifter and a rebel commander flee a warlord across the "
		"sand in a war rig carrying the women he keeps captive.",
		["George Miller"],
		[("Tom Hardy", "Max Rockatansky"), ("Charlize Theron", "Imperator Furiosa"),
		 ("Nicholas Hoult", "Nux")],
		countries=("AU", "US"), popularity=66.0, vote_average=7.62, vote_count=22700,
		companies=("roadshow", "warner")),
	_film(77, "Memento", "2000-10-11", 113, [9648, 53], "tt0209144",
		"A man who cannot form new memories hunts his wife's killer with notes, photographs "
		"and tattoos, in a story told backwards.",
		["Christopher Nolan"],
		[("Guy Pearce", "Leonard Shelby"), ("Carrie-Anne Moss", "Natalie"),
		 ("Joe Pantoliano", "Teddy Gammell")],
		popularity=35.5, vote_average=8.19, vote_count=14600),
	_film(62, "2001: A Space Odyssey", "1968-04-02", 149, [878, 9648, 12], "tt0062622",
		"A black monolith found buried on the Moon sends a crew toward Jupiter, with a calm "
		"and very capable computer in charge of the ship.",
		["Stanley Kubrick"],
		[("Keir Dullea", "Dr. Dave Bowman"), ("Gary Lockwood", "Dr. Frank Poole"),
		 ("Douglas Rain", "HAL 9000 (voice)")],
		countries=("GB", "US"), popularity=33.9, vote_average=8.07, vote_count=11500),
	_film(348, "Alien", "1979-05-25", 117, [27, 878], "tt0078748",
		"The crew of a space freighter answers a distress call on a barren planet and brings "
		"back an organism that starts hunting them one by one.",
		["Ridley Scott"],
		[("Sigourney Weaver", "Ellen Ripley"), ("Tom Skerritt", "Dallas"),
		 ("John Hurt", "Kane")],
		countries=("GB", "US"), popularity=42.8, vote_average=8.15, vote_count=15100,
		companies=("fox",)),
	_film(218, "The Terminator", "1984-10-26", 108, [28, 53, 878], "tt0088247",
		"A cyborg assassin is sent back from a machine-ruled future to kill a waitress whose "
		"unborn son will lead the human resistance.",
		["James Cameron"],
		[("Arnold Schwarzenegger", "The Terminator"), ("Linda Hamilton", "Sarah Connor"),
		 ("Michael Biehn", "Kyle Reese")],
		countries=("GB", "US"), popularity=39.4, vote_average=7.66, vote_count=13300),
	_film(671, "Harry Potter and the Philosopher's Stone", "2001-11-16", 152, [12, 14],
		"tt0241527",
		"On his eleventh birthday an unloved orphan learns that he is a wizard and leaves "
		"for a school of magic where his parents' old enemy is waiting.",
		["Chris Columbus"],
		[("Daniel Radcliffe", "Harry Potter"), ("Rupert Grint", "Ron Weasley"),
		 ("Emma Watson", "Hermione Granger")],
		countries=("GB", "US"), popularity=110.4, vote_average=7.9, vote_count=27400,
		collection=1241, companies=("warner",)),
	_film(12, "Finding Nemo", "2003-05-30", 100, [16, 10751], "tt0266543",
		"An anxious clownfish crosses the ocean with a forgetful blue tang to find his son, "
		"who was taken by a diver and put in a dentist's aquarium.",
		["Andrew Stanton"],
		[("Albert Brooks", "Marlin (voice)"), ("Ellen DeGeneres", "Dory (voice)")],
		popularity=57.1, vote_average=7.82, vote_count=19500, companies=("pixar",)),
	_film(14160, "Up", "2009-05-28", 96, [16, 35, 10751, 12], "tt1049413",
		"A grieving widower ties thousands of balloons to his house to fly to South America, "
		"not knowing a boy scout is standing on his porch.",
		["Pete Docter"],
		[("Ed Asner", "Carl Fredricksen (voice)"), ("Jordan Nagai", "Russell (voice)")],
		popularity=54.3, vote_average=7.95, vote_count=20100, companies=("pixar",)),
	_film(10681, "WALL·E", "2008-06-22", 98, [16, 10751, 878], "tt0910970",
		"The last trash-compacting robot on an abandoned Earth falls for a sleek probe sent "
		"to look for plant life and follows her into space.",
		["Andrew Stanton"],
		[("Ben Burtt", "WALL·E / M-O (voice)"), ("Elissa Knight", "EVE (voice)")],
		popularity=50.7, vote_average=8.07, vote_count=18200, companies=("pixar",)),
	_film(389, "12 Angry Men", "1957-04-10", 97, [18], "tt0050083",
		"On a hot afternoon in a jury room, one juror's doubt about an open-and-shut murder "
		"case slowly turns the other eleven.",
		["Sidney Lumet"],
		[("Henry Fonda", "Juror 8"), ("Lee J. Cobb", "Juror 3")],
		popularity=30.2, vote_average=8.54, vote_count=8900),
	_film(346, "Seven Samurai", "1954-04-26", 207, [28, 18], "tt0047478",
		"Farmers tired of being raided by bandits hire seven masterless samurai to defend "
		"their village through one hard harvest.",
		["Akira Kurosawa"],
		[("Toshiro Mifune", "Kikuchiyo"), ("Takashi Shimura", "Kambei Shimada")],
		original_title="七人の侍", lang="ja", countries=("JP",), popularity=28.4,
		vote_average=8.46, vote_count=3700),
	_film(637, "Life Is Beautiful", "1997-12-20", 116, [35, 18], "tt0118799",
		"A cheerful Jewish bookseller in Tuscany uses games and invention to shield his "
		"young son from the horror of the camp they are sent to.",
		["Roberto Benigni"],
		[("Roberto Benigni", "Guido Orefice"), ("Nicoletta Braschi", "Dora")],
		original_title="La vita è bella", lang="it", countries=("IT",), popularity=37.6,
		vote_average=8.45, vote_count=12900),
	# Test data. 666001: hostile markup everywhere, for escaping tests.
	_film(666001, "<script>alert(\"xss\")</script> & 'Friends'", "2020-04-01", 101,
		[35, 18], None,
		"<b>Bold</b> claims & \"quotes\" <img src=x onerror=alert(1)> </textarea>"
		"<script>alert('overview')</script> -- a stand-in film for escaping tests.",
		["Stand-in Director"],
		[("Bobby'); DROP TABLE movies;--", "<img src=x onerror=alert(2)>"),
		 ("Zoë \"Zed\" <Tester> & Co", "Herself & \"the others\"")],
		popularity=5.5, vote_average=6.1, vote_count=321, companies=("standin",),
		tagline="<i>Escaping</i> & \"everything\" 'else'", homepage="",
		poster="/hostile666001.jpg", backdrop="/hostile666001b.jpg"),
	# 666002: the one adult title; only search/discover with include_adult=true show it.
	_film(666002, "The Matrix Unplugged: Adult Stand-in", "2001-01-01", 88, [35],
		None,
		"An adult-only parody that exists only in the stand-in, to test include_adult.",
		["Stand-in Director"], [("Zoë \"Zed\" <Tester> & Co", "Trinity Parody")],
		adult=True, popularity=2.2, vote_average=4.2, vote_count=12, companies=("standin",)),
	# 666003: every nullable field null or empty; no origin_country.
	_film(666003, "Untitled Stand-in Documentary", "", 0, [99], None,
		"", ["Stand-in Director"], [],
		popularity=0.6, vote_average=0, vote_count=0, status="In Production",
		companies=("standin",), origin_country=False, poster=NO_IMAGE, backdrop=NO_IMAGE),
]

for _f in FILMS:
	for _key in ("poster_path", "backdrop_path"):
		if _f[_key] == NO_IMAGE:
			_f[_key] = None

FILM = {f["id"]: f for f in FILMS}

# Test data for list imports: reachable by id, by IMDb id (/find) and by a search for the whole
# title only, never in lists, discover, similar or recommendations, so what other tests count
# stays as it was. Two films share a title and a year (an ambiguous Letterboxd row); one has a
# title a spreadsheet would run as a formula (the CSV export must defuse it).
IMPORT_FILMS = [
	_film(777001, "Twin Stand-in", "2011-03-04", 95, [18], "tt9770001",
		"The first of two stand-in films with the same title and year.",
		["Stand-in Director"], [], popularity=3.0, vote_average=6.0, vote_count=40,
		companies=("standin",), poster=NO_IMAGE, backdrop=NO_IMAGE),
	_film(777002, "Twin Stand-in", "2011-09-09", 101, [35], "tt9770002",
		"The second of two stand-in films with the same title and year.",
		["Stand-in Director"], [], popularity=2.0, vote_average=5.0, vote_count=30,
		companies=("standin",), poster=NO_IMAGE, backdrop=NO_IMAGE),
	_film(777003, "=HYPERLINK(\"http://evil.example/\",\"Stand-in\")", "2012-05-05", 90, [35],
		"tt9770003", "A stand-in film whose title is a spreadsheet formula.",
		["Stand-in Director"], [], popularity=1.0, vote_average=5.5, vote_count=20,
		companies=("standin",), poster=NO_IMAGE, backdrop=NO_IMAGE),
]
for _f in IMPORT_FILMS:
	for _key in ("poster_path", "backdrop_path"):
		if _f[_key] == NO_IMAGE:
			_f[_key] = None
IMPORT_FILM = {f["id"]: f for f in IMPORT_FILMS}

RECOMMENDATIONS = {
	550: [680, 807, 27205, 238, 13, 155, 603, 278, 769, 77, 666003],
	680: [550, 769, 238, 807, 278, 13, 155, 603, 240, 274],
	13: [278, 497, 680, 550, 603, 155, 862, 597, 105, 424],
	155: [272, 27205, 157336, 550, 603, 680, 24428, 299534, 77, 98],
	27205: [157336, 155, 603, 550, 272, 77, 680, 19995, 78, 299534],
	603: [27205, 550, 155, 78, 218, 76341, 157336, 11, 680, 62],
	278: [13, 497, 238, 424, 680, 550, 389, 240, 769, 155],
	238: [240, 769, 680, 278, 424, 550, 155, 389, 13],
	240: [238, 769, 680, 278, 424, 550, 155],
	157336: [27205, 62, 155, 603, 19995, 78, 10681, 11, 299534],
	120: [121, 122, 11, 671, 1891, 98, 19995, 85],
	121: [120, 122, 1891, 671, 11, 98, 85],
	122: [121, 120, 1892, 671, 11, 98, 19995],
	11: [1891, 1892, 120, 85, 105, 329, 62, 603],
	1891: [11, 1892, 120, 121, 85, 105, 329],
	1892: [1891, 11, 122, 85, 105, 329],
	424: [278, 238, 637, 13, 497, 98, 389],
	497: [278, 13, 424, 550, 680, 238, 274],
	769: [238, 240, 680, 550, 807, 278, 274],
	807: [550, 274, 680, 77, 769, 155, 278],
	19995: [24428, 299534, 597, 27205, 157336, 329, 76341],
	24428: [299534, 19995, 155, 272, 27205, 603, 76341],
	299534: [24428, 19995, 155, 157336, 27205, 272, 76341],
	129: [862, 12, 14160, 10681, 671, 346, 496243],
	496243: [129, 346, 637, 550, 680, 807, 278],
	85: [11, 1891, 329, 105, 98, 120, 218],
	105: [85, 329, 11, 13, 218, 862, 1891],
	329: [85, 105, 19995, 11, 348, 218, 862],
	862: [12, 14160, 10681, 129, 671, 105],
	597: [13, 19995, 98, 637, 27205, 424],
	78: [603, 348, 218, 62, 157336, 27205, 76341],
	98: [120, 424, 272, 597, 155, 122, 85],
	272: [155, 27205, 24428, 299534, 98, 157336, 603],
	274: [807, 550, 680, 769, 348, 77, 278],
	76341: [218, 603, 24428, 299534, 19995, 98, 78],
	77: [27205, 807, 550, 155, 274, 603, 680],
	62: [157336, 78, 348, 11, 603, 10681],
	348: [78, 62, 218, 329, 274, 603],
	218: [348, 603, 78, 76341, 85, 105],
	671: [120, 121, 122, 862, 129, 12],
	12: [862, 14160, 10681, 129, 671, 105],
	14160: [862, 12, 10681, 129, 13, 671],
	10681: [862, 12, 14160, 129, 62, 157336],
	389: [238, 278, 424, 346, 769, 637],
	346: [389, 129, 238, 424, 496243, 98],
	637: [424, 13, 278, 496243, 389, 597],
	666001: [666003, 550, 680, 13, 603, 155],
	666002: [603, 550, 27205, 155, 680, 13],
	666003: [550, 680, 13, 603, 155, 278],
}

# The two trending windows deliberately differ in members and order.
TRENDING = {
	"day": [299534, 157336, 27205, 155, 496243, 550, 603, 19995, 24428, 680, 129, 120, 11,
		13, 278, 238, 76341, 10681, 862, 671, 14160, 98, 597, 105],
	"week": [155, 550, 278, 238, 680, 603, 27205, 157336, 13, 120, 122, 121, 11, 1891, 807,
		424, 497, 769, 496243, 129, 19995, 299534, 24428, 272, 274, 329, 85, 78, 348, 218],
}
NOW_PLAYING = [299534, 496243, 157336, 27205, 155, 24428, 19995, 76341, 10681, 666001, 14160,
	671]
UPCOMING = [666003, 1892, 121, 272, 98, 12]

SYNTHETIC_MIN = 1000000
SYNTHETIC_MAX = 1999999


def is_synthetic(fid):
	return SYNTHETIC_MIN <= fid <= SYNTHETIC_MAX


def synthetic_film(fid):
	"""A deterministic made-up film for ids 1000000..1999999 (load tests)."""
	g1 = GENRE_IDS[fid % 19]
	g2 = GENRE_IDS[(fid // 19) % 19]
	genres = [g1] if g1 == g2 or fid % 3 == 0 else [g1, g2]
	year = 1950 + (fid * 7) % 76
	date = "%04d-%02d-%02d" % (year, 1 + fid % 12, 1 + fid % 28)
	f = _film(fid, "Synthetic Movie %d" % fid, date, 75 + fid % 90, genres, None,
		"A deterministic synthetic film generated by the TMDb stand-in for load tests "
		"(id %d, %d)." % (fid, year),
		["Stand-in Director"], [("Synthetic Actor %d" % (fid % 1000 * 3 + k), "Role %d" % k)
			for k in range(3)],
		popularity=round((fid % 1000) / 10.0 + 0.5, 3),
		vote_average=round(4 + (fid % 60) / 10.0, 1), vote_count=fid % 5000,
		poster="/synthetic%dp.jpg" % fid, backdrop="/synthetic%db.jpg" % fid)
	f["synthetic"] = True
	return f


def synthetic_neighbours(fid, start, count):
	"""Ids near fid inside the synthetic range: +start, -start, +start+1, ... count of them."""
	out = []
	step = start
	while len(out) < count and step < 1000:
		for cand in (fid + step, fid - step):
			if is_synthetic(cand) and len(out) < count:
				out.append(cand)
		step += 1
	return out


def get_film(fid):
	"""The catalogue or synthetic film with that id, or None."""
	if fid in FILM:
		return FILM[fid]
	if fid in IMPORT_FILM:
		return IMPORT_FILM[fid]
	if is_synthetic(fid):
		return synthetic_film(fid)
	return None


def person(name):
	"""(id, gender, profile_path or None) of a cast/crew member."""
	if name in PEOPLE:
		pid, gender, has_profile = PEOPLE[name]
	else:
		# Synthetic actors: stable ids above the stand-in range, no profile image.
		pid = 20000000 + int(hashlib.sha256(name.encode()).hexdigest()[:6], 16)
		return pid, 0, None
	if pid in KNOWN_PROFILE:
		return pid, gender, KNOWN_PROFILE[pid]
	return pid, gender, fake_path("profile:%d" % pid) if has_profile else None


def list_item(f, media_type=False):
	"""The MovieListItem shape (TMDb's key order); media_type only for trending/recs."""
	item = {
		"adult": f["adult"],
		"backdrop_path": f["backdrop_path"],
		"genre_ids": list(f["genre_ids"]),
		"id": f["id"],
		"original_language": f["original_language"],
		"original_title": f["original_title"],
		"overview": f["overview"],
		"popularity": f["popularity"],
		"poster_path": f["poster_path"],
	}
	if media_type:
		item["media_type"] = "movie"
	item.update({
		"release_date": f["release_date"],
		"title": f["title"],
		"video": False,
		"vote_average": f["vote_average"],
		"vote_count": f["vote_count"],
	})
	return item


def details(f):
	"""The /3/movie/{id} body without appended objects."""
	coll = None
	if f["collection"] is not None:
		name, poster, backdrop = COLLECTIONS[f["collection"]]
		coll = {
			"id": f["collection"], "name": name,
			"poster_path": poster or fake_path("collection-poster:%d" % f["collection"]),
			"backdrop_path": backdrop,
		}
	d = {
		"adult": f["adult"],
		"backdrop_path": f["backdrop_path"],
		"belongs_to_collection": coll,
		"budget": f["budget"],
		"genres": [{"id": g, "name": GENRE_NAME[g]} for g in f["genre_ids"]],
		"homepage": f["homepage"],
		"id": f["id"],
		"imdb_id": f["imdb_id"],
	}
	if f["origin_country"] is True:
		d["origin_country"] = list(f["countries"])
	elif f["origin_country"]:
		d["origin_country"] = list(f["origin_country"])
	d.update({
		"original_language": f["original_language"],
		"original_title": f["original_title"],
		"overview": f["overview"],
		"popularity": f["popularity"],
		"poster_path": f["poster_path"],
		"production_companies": [
			{"id": c[0], "logo_path": c[3], "name": c[1], "origin_country": c[2]}
			for c in (COMPANIES[k] for k in f["companies"])],
		"production_countries": [
			{"iso_3166_1": c, "name": COUNTRY_NAME[c]} for c in f["countries"]],
		"release_date": f["release_date"],
		"revenue": f["revenue"],
		"runtime": f["runtime"],
		"spoken_languages": [
			{"english_name": LANGUAGE[l][0], "iso_639_1": l, "name": LANGUAGE[l][1]}
			for l in f["spoken"]],
		"status": f["status"],
		"tagline": f["tagline"],
		"title": f["title"],
		"video": False,
		"vote_average": f["vote_average"],
		"vote_count": f["vote_count"],
	})
	return d


def _people_entry(name, fid, role):
	pid, gender, profile = person(name)
	return {
		"adult": False,
		"gender": gender,
		"id": pid,
		"known_for_department": "Directing" if role == "director" else "Acting",
		"name": name,
		"original_name": name,
		"popularity": round(5 + (pid % 400) / 10.0, 3),
		"profile_path": profile,
	}


def credits(f):
	"""{cast, crew} of a film (without the stand-alone endpoint's id)."""
	cast = []
	for order, (name, character) in enumerate(f["cast"]):
		e = _people_entry(name, f["id"], "cast")
		e.update({
			"cast_id": order + 1,
			"character": character,
			"credit_id": fake_hex("cast:%d:%s" % (f["id"], name)),
			"order": order,
		})
		cast.append(e)
	crew = []
	for name in f["directors"]:
		e = _people_entry(name, f["id"], "director")
		e.update({
			"credit_id": fake_hex("crew:%d:%s" % (f["id"], name)),
			"department": "Directing",
			"job": "Director",
		})
		crew.append(e)
	return {"cast": cast, "crew": crew}


# Fight Club's recorded videos (§7.4); other films get one placeholder trailer.
_FIGHT_CLUB_VIDEOS = [
	{"iso_639_1": "en", "iso_3166_1": "US", "name": "20th Anniversary Trailer",
	 "key": "dfeUzm6KF4g", "site": "YouTube", "size": 1080, "type": "Trailer",
	 "official": True, "published_at": "2019-10-15T18:59:47.000Z",
	 "id": "64fb16fbdb4ed610343d72c3"},
	{"iso_639_1": "en", "iso_3166_1": "US", "name": "Theatrical Trailer (HD Fan Remaster)",
	 "key": "6JnN1DmbqoU", "site": "YouTube", "size": 1080, "type": "Trailer",
	 "official": False, "published_at": "2015-02-26T03:19:25.000Z",
	 "id": "653b36ba5907de00c4953699"},
	{"iso_639_1": "en", "iso_3166_1": "US", "name": "#TBT Trailer",
	 "key": "BdJKm16Co6M", "site": "YouTube", "size": 1080, "type": "Trailer",
	 "official": True, "published_at": "2014-10-02T19:20:22.000Z",
	 "id": "5c9294240e0a267cd516835f"},
]


def videos(f):
	"""{results} of a film's videos (without the stand-alone endpoint's id)."""
	if f["id"] == 550:
		return {"results": [dict(v) for v in _FIGHT_CLUB_VIDEOS]}
	if f["id"] == 666003:
		return {"results": []}
	year = f["release_date"][:4] or "2020"
	return {"results": [{
		"iso_639_1": "en", "iso_3166_1": "US", "name": "Official Trailer",
		"key": fake_video_key("video:%d" % f["id"]), "site": "YouTube", "size": 1080,
		"type": "Trailer", "official": True,
		"published_at": "%s-01-15T17:00:00.000Z" % year,
		"id": fake_hex("video:%d" % f["id"]),
	}]}


# Watch providers (TMDb's data from JustWatch): real provider ids, names and logo paths.
PROVIDERS = {
	8: ("Netflix", "/pbpMk2JmcoNnQwx5JGpXngfoWtp.jpg"),
	9: ("Amazon Prime Video", "/emthp39XA2YScoYL1p0sdbAH2WA.jpg"),
	337: ("Disney Plus", "/7rwgEs15tFwyR9NPQ5vpzxTj19Q.jpg"),
	2: ("Apple TV", "/peURlLlr8jggOwK53fJ5wdQl05y.jpg"),
	3: ("Google Play Movies", "/tbEdFQDwx5LEVr8WpSeXQSIirVq.jpg"),
	10: ("Amazon Video", "/5NyLm42TmCqCMOZFvH4fcoSNKEW.jpg"),
	73: ("Tubi TV", "/zLYr4lVZ8kZlQxqF7vBQpMRSm6D.jpg"),
}
PROVIDER_REGIONS = ["US", "GB", "DE", "FR", "CA", "BR", "JP"]


def _provider(pid, priority):
	name, logo = PROVIDERS[pid]
	return {"logo_path": logo, "provider_id": pid, "provider_name": name,
		"display_priority": priority}


def watch_providers(f):
	"""/movie/{id}/watch/providers: {id, results: {REGION: {link, flatrate, rent, buy...}}}.
	Fight Club is fixed (streams in the US and GB only; rent and buy in most regions); film
	666003 is nowhere; the others get a stable mix per region."""
	fid = f["id"]
	results = {}
	if fid == 666003:
		return {"id": fid, "results": results}
	for i, region in enumerate(PROVIDER_REGIONS):
		n = int(fake_hex("providers:%d:%s" % (fid, region), 8), 16)
		if fid == 550:
			n = {"US": 0, "GB": 1, "JP": None}.get(region, 2)
			if n is None:
				continue
		elif n % 5 == 0:
			continue	# not offered in this region
		entry = {"link": "https://www.themoviedb.org/movie/%d/watch?locale=%s" % (fid, region)}
		if n % 3 != 2:
			entry["flatrate"] = [_provider(8 if n % 2 == 0 else 337, 1)]
			if n % 4 == 1:
				entry["flatrate"].append(_provider(9, 2))
		if fid != 550 and n % 7 == 3:
			entry["ads"] = [_provider(73, 30)]
		entry["rent"] = [_provider(2, 4), _provider(3, 10), _provider(10, 12)]
		entry["buy"] = [_provider(2, 4), _provider(3, 10)]
		results[region] = entry
	return {"id": fid, "results": results}


def recommendation_ids(f):
	if f.get("synthetic"):
		return synthetic_neighbours(f["id"], 1, 12)
	return [i for i in RECOMMENDATIONS.get(f["id"], []) if not FILM[i]["adult"]]


def similar_ids(f):
	"""The rest of the catalogue, most shared genres first (TMDb's similar is that broad);
	synthetic films get further-away synthetic neighbours."""
	if f.get("synthetic"):
		return synthetic_neighbours(f["id"], 13, 30)
	mine = set(f["genre_ids"])
	scored = []
	for o in FILMS:
		if o["id"] == f["id"] or o["adult"]:
			continue
		common = len(mine & set(o["genre_ids"]))
		scored.append((-common, -o["popularity"], o["id"]))
	scored.sort()
	return [s[2] for s in scored]


def find_by_imdb(imdb_id):
	"""The films (catalogue and import test films) with that IMDb id."""
	return [f for f in FILMS + IMPORT_FILMS if f["imdb_id"] == imdb_id]


def listable_films(include_adult=False):
	"""The catalogue films that lists, search and discover draw from (no synthetics)."""
	return [f for f in FILMS if include_adult or not f["adult"]]


def image_index():
	"""Map every known image path -> (kind, label, sublabel) for the /t/p/ placeholder."""
	idx = {}
	for f in FILMS:
		year = f["release_date"][:4]
		if f["poster_path"]:
			idx[f["poster_path"]] = ("poster", f["title"], year)
		if f["backdrop_path"]:
			idx[f["backdrop_path"]] = ("backdrop", f["title"], year)
		for name, _ in f["cast"]:
			pid, _, profile = person(name)
			if profile:
				idx[profile] = ("profile", name, "")
		for name in f["directors"]:
			pid, _, profile = person(name)
			if profile:
				idx[profile] = ("profile", name, "")
		if f["collection"] is not None:
			d = details(f)["belongs_to_collection"]
			for key, kind in (("poster_path", "poster"), ("backdrop_path", "backdrop")):
				if d[key]:
					idx[d[key]] = (kind, d["name"], "")
	for name, logo in PROVIDERS.values():
		idx[logo] = ("logo", name, "")
	for _, name, _, logo in COMPANIES.values():
		if logo:
			idx[logo] = ("logo", name, "")
	return idx


def today():
	return datetime.date.today()
