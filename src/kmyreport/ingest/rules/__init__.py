"""The rules that tell what a cleaned line is, one module per kind of line.

`title` (kicker, title, subtitle), `bylines` (with names, datelines and bylines in
closing brackets), `heads` (section heads), `captions` (photo captions and credits),
`editors` (editor and source credit lines), `origin` (原载 notes, source values, dates,
pages), `notes` (编者按, 编后) and `end_matter` (`（完）`, `—END—`, footers, WeChat
boilerplate and 往期推荐); `frame` holds the bullets,
brackets and field separators they share. Each rule looks at one line; the order in
which they are asked is `recognise`'s business.
"""
