def ünicode(ünï, ç, n):
    # Columns count characters, not bytes: ünï is three columns wide.
    return ünï + ç
    s = "héllo wörld"; n
