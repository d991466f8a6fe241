"""What the site is: a BelTA edition described as a profile of the CMS all editions share.

``profile`` holds the shape of a profile (:class:`~beltacrawl.site.profile.SiteProfile`),
``deu`` the German edition's facts (``DEU_BELTA``); ``urls``, ``dates``, ``datelines`` and
``text`` read the site's URLs, dates, datelines and text with a profile. The evidence
behind each fact is in docs/site.md.
"""
