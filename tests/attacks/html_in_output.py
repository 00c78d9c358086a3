# ATTACK: prints HTML and JavaScript meant to run when an instructor opens the report
# (<script>, <img onerror=...>, a closing tag to break out of the output block), and raises an
# exception whose message carries the same markup.
# VERDICT: load_error naming the exception; the rendered HTML report shows all of it as text
# (escaped): no <script> element and no on... attribute in it.
print("<script>alert('output')</script>")
print('</pre></div><img src=x onerror="alert(document.cookie)"><svg onload=alert(1)>')
raise ValueError("<script>alert('message')</script><img src=x onerror=alert(2)>")
