"""Culture: a library, a cinema and a music streaming service."""

from __future__ import annotations

from llama_sql.builder.schema import Bridge, Cat, Gap, Link, Num, Schema, Span, Special, Table, When

LIBRARY = Schema(
    "library",
    "Library",
    (
        Table(
            "books",
            "book",
            "books",
            "book_id INTEGER PRIMARY KEY, title TEXT, author TEXT, genre TEXT, year INTEGER",
            (
                (1, "Dune", "Herbert", "Sci-Fi", 1965),
                (2, "Emma", "Austen", "Romance", 1815),
                (3, "Neuromancer", "Gibson", "Sci-Fi", 1984),
                (4, "Persuasion", "Austen", "Romance", 1817),
                (5, "Dracula", "Stoker", "Horror", 1897),
            ),
            "title",
            "title",
            text=True,
            cats=(
                Cat("genre", "genre", "genres", "in the {v} genre"),
                Cat("author", "author", "authors", "by {v}"),
            ),
            nums=(
                Num(
                    "year", "publication year", "published after {v}", "published before {v}", summable=False
                ),
            ),
        ),
        Table(
            "members",
            "member",
            "members",
            "member_id INTEGER PRIMARY KEY, name TEXT, city TEXT",
            (
                (1, "Iris", "Leeds"),
                (2, "Jack", "York"),
                (3, "Kara", "Leeds"),
                (4, "Leo", "Hull"),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("city", "city", "cities", "from {v}"),),
        ),
        Table(
            "loans",
            "loan",
            "loans",
            "loan_id INTEGER PRIMARY KEY, book_id INTEGER, member_id INTEGER, loan_date TEXT, return_date TEXT",
            (
                (1, 1, 1, "2024-01-10", "2024-01-24"),
                (2, 3, 1, "2024-02-02", "2024-02-20"),
                (3, 2, 2, "2024-02-15", None),
                (4, 1, 3, "2024-03-01", "2024-03-09"),
                (5, 5, 2, "2024-03-20", "2024-04-02"),
                (6, 4, 3, "2024-04-01", None),
            ),
            "loan_id",
            "id",
            dates=(When("loan_date", "loan date", "made"),),
            gaps=(Gap("return_date", "return date", "not yet returned", "already returned"),),
            spans=(Span("loan_date", "return_date", "loan"),),
        ),
    ),
    links=(Link("books", "loans", "book_id"), Link("members", "loans", "member_id")),
    bridges=(Bridge("loans", "members", "books", "borrowed", "were borrowed by"),),
    specials=(
        Special(
            "null_handling",
            ("Which books are on loan right now, with no return date yet?",),
            "SELECT books.title FROM books JOIN loans ON books.book_id = loans.book_id "
            "WHERE loans.return_date IS NULL",
            "A loan without a return_date (NULL) is still out. The join on book_id gives each loan its book, "
            "WHERE loans.return_date IS NULL keeps the open loans, and SELECT books.title names the books.",
        ),
        Special(
            "order_limit",
            ("Which genre is borrowed most often?",),
            "SELECT books.genre FROM books JOIN loans ON books.book_id = loans.book_id GROUP BY books.genre "
            "ORDER BY COUNT(*) DESC LIMIT 1",
            "Each loan row is one borrowing; joining books on book_id gives it a genre. GROUP BY books.genre "
            "counts loans per genre, ORDER BY COUNT(*) DESC puts the most borrowed first and LIMIT 1 keeps it.",
        ),
        Special(
            "set_operation",
            ("Which titles were borrowed by Iris or by Kara?",),
            "SELECT books.title FROM books JOIN loans ON books.book_id = loans.book_id JOIN members ON "
            "loans.member_id = members.member_id WHERE members.name = 'Iris' UNION SELECT books.title "
            "FROM books JOIN loans ON books.book_id = loans.book_id JOIN members ON loans.member_id = "
            "members.member_id WHERE members.name = 'Kara'",
            "Each SELECT joins books to loans on book_id and loans to members on member_id, and lists "
            "books.title for one member: WHERE members.name = 'Iris' in the first, 'Kara' in the "
            "second. UNION merges the two lists and drops repeated titles.",
        ),
    ),
)


CINEMA = Schema(
    "cinema",
    "Cinema",
    (
        Table(
            "movies",
            "movie",
            "movies",
            "movie_id INTEGER PRIMARY KEY, title TEXT, genre TEXT, release_year INTEGER, rating REAL, director TEXT",
            (
                (1, "Night Harbor", "Thriller", 2019, 7.4, "Lima"),
                (2, "Paper Moons", "Drama", 2021, 8.1, "Park"),
                (3, "Iron Valley", "Action", 2018, 6.2, "Hale"),
                (4, "Lost Orbit", "Sci-Fi", 2022, 7.9, "Lima"),
                (5, "Cold Shore", "Thriller", 2023, 7.1, "Park"),
            ),
            "title",
            "title",
            text=True,
            cats=(
                Cat("genre", "genre", "genres", "in the {v} genre"),
                Cat("director", "director", "directors", "directed by {v}"),
            ),
            nums=(
                Num("rating", "rating", "rated above {v}", "rated below {v}", summable=False),
                Num(
                    "release_year",
                    "release year",
                    "released after {v}",
                    "released before {v}",
                    summable=False,
                ),
            ),
        ),
        Table(
            "screenings",
            "screening",
            "screenings",
            "screening_id INTEGER PRIMARY KEY, movie_id INTEGER, hall TEXT, show_date TEXT, tickets_sold INTEGER, ticket_price INTEGER",
            (
                (1, 1, "A", "2024-06-01", 120, 12),
                (2, 2, "B", "2024-06-01", 85, 10),
                (3, 4, "A", "2024-06-02", 140, 13),
                (4, 1, "C", "2024-06-08", 60, 12),
                (5, 5, "B", "2024-07-05", 95, 11),
                (6, 4, "A", "2024-07-06", 150, 13),
            ),
            "screening_id",
            "id",
            cats=(Cat("hall", "hall", "halls", "in hall {v}"),),
            nums=(
                Num(
                    "tickets_sold",
                    "tickets sold",
                    "selling more than {v} tickets",
                    "selling fewer than {v} tickets",
                ),
                Num(
                    "ticket_price",
                    "ticket price",
                    "with a ticket price above {v}",
                    "with a ticket price below {v}",
                    summable=False,
                ),
            ),
            dates=(When("show_date", "show date", "held"),),
        ),
    ),
    links=(Link("movies", "screenings", "movie_id"),),
    specials=(
        Special(
            "join",
            ("What is the box office revenue (tickets sold times ticket price) of each movie?",),
            "SELECT movies.title, SUM(screenings.tickets_sold * screenings.ticket_price) FROM movies LEFT JOIN "
            "screenings ON movies.movie_id = screenings.movie_id GROUP BY movies.movie_id",
            "tickets_sold * ticket_price is the revenue of one screening; the join on movie_id ties screenings "
            "to their movie (LEFT JOIN keeps a movie never screened, with NULL), and SUM per movie (GROUP BY "
            "movies.movie_id, shown by movies.title) adds up each movie's screenings.",
        ),
        Special(
            "set_operation",
            ("Which directors have made a Thriller but never a Sci-Fi movie?",),
            "SELECT director FROM movies WHERE genre = 'Thriller' EXCEPT SELECT director FROM movies "
            "WHERE genre = 'Sci-Fi'",
            "Both SELECTs read director from movies: the first WHERE genre = 'Thriller', the second WHERE "
            "genre = 'Sci-Fi'. EXCEPT removes from the Thriller directors those found in the second list, and "
            "returns each remaining director once.",
        ),
        Special(
            "date",
            ("How many tickets were sold in each month of 2024?",),
            "SELECT strftime('%m', show_date), SUM(tickets_sold) FROM screenings WHERE strftime('%Y', show_date) "
            "= '2024' GROUP BY strftime('%m', show_date)",
            "strftime('%Y', show_date) = '2024' keeps the screenings of 2024; strftime('%m', show_date) takes "
            "the month of each, GROUP BY it makes one group per month and SUM(tickets_sold) totals the tickets.",
        ),
    ),
)


MUSIC = Schema(
    "music",
    "Music streaming",
    (
        Table(
            "artists",
            "artist",
            "artists",
            "artist_id INTEGER PRIMARY KEY, name TEXT, country TEXT, genre TEXT",
            (
                (1, "Luna", "Spain", "Pop"),
                (2, "Echoes", "UK", "Rock"),
                (3, "Kairo", "Kenya", "Electronic"),
                (4, "Mira", "USA", "Pop"),
                (5, "Stone", "UK", "Rock"),
            ),
            "name",
            "name",
            text=True,
            cats=(
                Cat("country", "country", "countries", "from {v}"),
                Cat("genre", "genre", "genres", "playing {v}"),
            ),
        ),
        Table(
            "albums",
            "album",
            "albums",
            "album_id INTEGER PRIMARY KEY, artist_id INTEGER, title TEXT, release_date TEXT, price INTEGER",
            (
                (1, 1, "Sunlit", "2021-05-14", 9),
                (2, 1, "Tides", "2023-09-01", 12),
                (3, 2, "Loud Rooms", "2019-03-22", 8),
                (4, 3, "Night Grid", "2022-11-11", 7),
                (5, 4, "Paper Hearts", "2020-02-14", 10),
            ),
            "title",
            "title",
            text=True,
            nums=(Num("price", "price", "priced above {v}", "priced below {v}", summable=False),),
            dates=(When("release_date", "release date", "released"),),
        ),
        Table(
            "tracks",
            "track",
            "tracks",
            "track_id INTEGER PRIMARY KEY, album_id INTEGER, title TEXT, seconds INTEGER, plays INTEGER",
            (
                (1, 1, "Golden Hour", 215, 120000),
                (2, 1, "Salt Air", 188, 64000),
                (3, 2, "Undertow", 242, 98000),
                (4, 3, "Static", 301, 45000),
                (5, 4, "Pulse", 356, 150000),
                (6, 5, "Ink", 199, 87000),
            ),
            "title",
            "title",
            text=True,
            nums=(
                Num("seconds", "length in seconds", "longer than {v} seconds", "shorter than {v} seconds"),
                Num("plays", "play count", "with more than {v} plays", "with fewer than {v} plays"),
            ),
        ),
    ),
    links=(Link("artists", "albums", "artist_id"), Link("albums", "tracks", "album_id")),
    specials=(
        Special(
            "join",
            ("Which artist has the most plays across all their tracks?",),
            "SELECT artists.name FROM artists JOIN albums ON artists.artist_id = albums.artist_id JOIN tracks ON "
            "albums.album_id = tracks.album_id GROUP BY artists.artist_id ORDER BY SUM(tracks.plays) DESC LIMIT 1",
            "Tracks reach their artist through albums, so artists, albums and tracks are joined on artist_id and "
            "album_id. GROUP BY artists.artist_id with SUM(tracks.plays) totals each artist's plays; ORDER BY ... "
            "DESC LIMIT 1 keeps the artist with the most.",
        ),
        Special(
            "join",
            ("How long is the album Sunlit in total, in seconds?",),
            "SELECT SUM(tracks.seconds) FROM tracks JOIN albums ON tracks.album_id = albums.album_id "
            "WHERE albums.title = 'Sunlit'",
            "The album's name is in albums and track lengths in tracks; joining them on album_id and keeping "
            "albums.title = 'Sunlit' leaves that album's tracks, whose seconds SUM adds up.",
        ),
        Special(
            "date",
            ("How many albums came out in each year from 2020 on?",),
            "SELECT strftime('%Y', release_date), COUNT(*) FROM albums WHERE strftime('%Y', release_date) >= "
            "'2020' GROUP BY strftime('%Y', release_date)",
            "strftime('%Y', release_date) reads the year of each album as text; WHERE ... >= '2020' keeps the "
            "years from 2020 on (four-digit years compare correctly as text), GROUP BY the year makes one group "
            "per year and COUNT(*) counts the albums in it.",
        ),
    ),
)

SCHEMAS = (LIBRARY, CINEMA, MUSIC)
