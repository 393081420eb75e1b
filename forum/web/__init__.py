"""The web layer: middleware, the page cache and shared reads, templating and the post
fragments it reuses, static files, and how failures become answers. Routes (forum/routes/) use
it; the database and the actions know nothing of it."""
