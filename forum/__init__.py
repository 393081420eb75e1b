"""A live, chat-style discussion forum for communities of practice."""
