#!/usr/bin/env python3
# coverage-map.py: prints tests/README.md's tables (which unit tests, fuzz targets and integration tests reach each source file), derived from the code.
# A unit test or fuzz target is listed when it names one of the file's exported functions (or
# includes a tests/unit/ header that does); an integration test when it requests one of the
# file's routes (fcgi/routes.c), names the file, or, for a file with no route, has two or more
# lines matching the file's keywords below (what its tests look for: Redis stopped, a breaker...).
# Usage: python3 tests/coverage-map.py  (from the repository's root), then paste into tests/README.md.
import re,os,glob,collections
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
def exported(path):
    src=open(path).read().split('\n'); out=set()
    for i,l in enumerate(src):
        m=re.match(r'^([a-z_][a-z0-9_]*)\(',l)
        if m and i>0 and 'static' not in src[i-1] and not src[i-1].startswith('#'):
            out.add(m.group(1))
    return out
tests={'unit':sorted(glob.glob('tests/unit/test_*.c')),'fuzz':sorted(glob.glob('tests/fuzz/fuzz_*.c')),'integ':sorted(glob.glob('tests/integration/test_*.py'))}
texts={f:open(f).read() for k in tests for f in tests[k]}
routes=open('fcgi/routes.c').read()
route_of=collections.defaultdict(list)
for m in re.finditer(r'\{\s*M_\w+(?:\s*\|\s*M_\w+)*,\s*"([^"]+)",\s*(\w+)',routes):
    route_of[m.group(2)].append(m.group(1))
def paths_used(f,paths):
    t=texts[f]; hit=[]
    for p in paths:
        lit=p.split('{')[0].rstrip('/') or '/'
        lits=[lit]+([lit[len('/api/v1'):]] if lit.startswith('/api/v1/') else [])
        for l in lits:
            if l == '/':
                if re.search(r'(get|fetch|open)\(\s*["\']/["\'?]', t): hit.append(p); break
                continue
            if l == '/api/v1': continue
            if re.search(r'["\'/f}]'+re.escape(l)+r'(["\'/?.{]|$)', t, re.M): hit.append(p); break
    return hit
import re,os,glob,collections
# Modules with no route: the integration tests that aim at them, by what they do (>= 2 matching lines).
KW={
 'common/cache.c': r'(stop|kill|restart|pause)\w*\(?.{0,20}redis|redis\w*.{0,20}(stop|kill|restart|down)',
 'common/db.c': r'pgbouncer|(stop|kill|restart)\w*.{0,20}postgres|postgres\w*.{0,20}(stop|kill|down)|migrat',
 'common/dbbreaker.c': r'breaker',
 'common/movies.c': r'stale|movie_rec:|_details|notfound:|tmdb:budget|tmdb:pause',
 'common/tmdb.c': r'stand-?in|retry.after|429|tmdb.{0,20}(slow|hang|down|stop)',
 'common/smtp.c': r'smtp', 'fcgi/mailer.c': r'outbox|smtp', 'fcgi/mailview.c': r'latest_mail|outbox',
 'common/throttle.c': r'throttl', 'common/hashers.c': r'hasher|pbkdf2|argon2|bcrypt',
 'common/hashgate.c': r'hashgate|HASH_CONCURRENCY', 'common/metrics.c': r'/metrics|movies_\w+_total',
 'common/csrf.c': r'csrf', 'fcgi/csrf_web.c': r'csrf|Origin|Referer',
 'common/jwt.c': r'\b(access|refresh)\b.{0,30}token|jwt', 'fcgi/bearer.c': r'Bearer',
 'fcgi/token_gate.c': r'password_changed|token.{0,20}(revok|invalid)', 'common/token_revocation.c': r'revok|blacklist',
 'common/regions.c': r'region', 'common/allowed_hosts.c': r'ALLOWED_HOSTS|Host["\']?:',
 'fcgi/hostcheck.c': r'ALLOWED_HOSTS|Host["\']?:', 'common/known_device.c': r'known.device',
 'common/multipart.c': r'multipart', 'common/csv.c': r'\.csv|csv', 'common/listfile.c': r'\.csv|letterboxd|imdb',
 'common/djsession.c': r'session_data|sessionid|SESSION_', 'common/signing.c': r'signing|signed|TimestampSigner',
 'common/pickle.c': r'pickle|PickleSerializer', 'common/resettoken.c': r'reset.{0,10}token|/reset/',
 'common/emailaddr.c': r'EmailValidator|(invalid|bad|odd).{0,20}(e-?mail|address)', 'common/mime.c': r'Content-Type: multipart|quoted-printable|MIME',
 'common/log.c': r'log_lines|\.log\b|LOG_LEVEL', 'common/config.c': r'DB_PREPARED|check-config|_TIMEOUT_MS|configuration',
 'common/mustache.c': r'html_valid|template', 'fcgi/view.c': r'template|render',
 'fcgi/session.c': r'sessionid|session_key|django_session', 'fcgi/model_session.c': r'django_session|sessionid',
 'fcgi/model_user.c': r'auth_user', 'fcgi/model_lists.c': r'users_favoritemovie|users_watchlistmovie',
 'fcgi/model_import.c': r'import', 'fcgi/model_reset.c': r'password.reset|/reset/', 'fcgi/model_health.c': r'/healthz|health-check',
 'fcgi/visitor.c': r'favorites_count|watchlist_count|is_favorite|on_watchlist|header',
 'fcgi/scoreboard.c': r'scoreboard|WORKERS|SIGTERM|SIGHUP|busy', 'fcgi/worker.c': r'SIGTERM|SIGHUP|SIGKILL|worker',
 'fcgi/main.c': r'SIGTERM|SIGHUP|master|lifecycle', 'fcgi/observe.c': r'request.id|X-Request-Id|slow',
 'fcgi/pipeline.c': r'ETag|If-None-Match|304|X-Frame|Cache-Control', 'fcgi/cors.c': r'Access-Control|CORS',
 'fcgi/app.c': r'start|reload', 'fcgi/fail.c': r'\b50[03]\b|\b429\b', 'fcgi/http.c': r'Content-Length|Location',
 'fcgi/router.c': r'\b405\b|Allow', 'fcgi/args.c': r'next=|page=|\?q=', 'fcgi/form.c': r'csrfmiddlewaretoken',
 'fcgi/auth.c': r'/login', 'fcgi/registration.c': r'/register|auth/register', 'fcgi/reqjson.c': r'application/json',
 'fcgi/api_body.c': r'application/json|multipart|x-www-form-urlencoded', 'fcgi/api_parsers.c': r'auth/register|password/change',
 'fcgi/importview.c': r'/import', 'fcgi/movieview.c': r'/movie/', 'fcgi/watchview.c': r'watch-region|providers',
 'fcgi/routes.c': r'openapi|/api/schema', 'common/util.c': None, 'common/arena.c': None, 'common/buf.c': None,
 'common/rand.c': None, 'common/b64.c': None,
}
# Helper modules every test reaches: only their own test is listed.
DEDICATED={'common/arena.c':'test_arena.c','common/buf.c':'test_buf.c','common/util.c':'test_util.c','fcgi/http.c':'test_request.c'}
def kw_files(src):
    if src not in KW:
        return []
    rx=KW[src]
    if rx is None: return ['every test (a helper)']
    out=[]
    for f in tests['integ']:
        n=sum(1 for l in texts[f].split('\n') if re.search(rx,l,re.I))
        if n>=2: out.append(os.path.basename(f))
    return out
for f in tests['unit']:
    for h in re.findall(r'#include "([a-z_]+\.h)"', texts[f]):
        if os.path.exists('tests/unit/'+h): texts[f]+=open('tests/unit/'+h).read()
first_line=lambda p: open(p).readline().strip().split(':',1)[-1].strip(' */').strip()
GROUPS=[('common/: the library (no FastCGI)', lambda p: p.startswith('common/')),
 ('fcgi/: handlers (routes.c names them)', lambda p: re.match(r'fcgi/(page_|api_(accounts|lists|movies|reset))',p)),
 ('fcgi/: models (rows decoded in one place)', lambda p: re.match(r'fcgi/(model_|visitor)',p)),
 ('fcgi/: views and templates', lambda p: re.match(r'fcgi/(view|movieview|watchview|importview|mailview)\.c',p)),
 ('fcgi/: the request pipeline, process and the rest', lambda p: True)]
done=set()
for title,pred in GROUPS:
    print('\n### %s\n' % title)
    print('| file | its job | unit tests | fuzz targets | integration tests |')
    print('|---|---|---|---|---|')
    for src in sorted(glob.glob('common/*.c'))+sorted(glob.glob('fcgi/*.c')):
        if src in done or not pred(src): continue
        done.add(src)
        syms=exported(src); base=os.path.basename(src)
        if base=='main.c': syms={'main_loop_unused'}
        unit=[os.path.basename(f) for f in tests['unit'] if any(re.search(r'\b'+s+r'\b',texts[f]) for s in syms)]
        fuzz=[os.path.basename(f) for f in tests['fuzz'] if any(re.search(r'\b'+s+r'\b',texts[f]) for s in syms)]
        if src in DEDICATED: unit=[DEDICATED[src]+' (and every other: a helper)']
        paths=[p for s in syms for p in route_of.get(s,[])]
        integ=set() if src in KW and KW[src] is None else set(os.path.basename(f) for f in tests['integ'] if (paths and paths_used(f,paths)) or re.search(r'\b'+re.escape(base)+r'\b',texts[f]))
        integ|=set(kw_files(src))
        job=first_line(src).replace('|','\\|')
        fmt=lambda xs: ', '.join('`%s`'%x.replace('.c','').replace('.py','') if ' ' not in x else x for x in sorted(xs)) or '-'
        fmt2=lambda xs: ', '.join(('`%s`'%x if ' ' not in x else x) for x in sorted(xs)) or '-'
        print('| `%s` | %s | %s | %s | %s |' % (base, job, fmt2(unit), fmt2(x.replace('fuzz_','').replace('.c','') for x in fuzz), fmt2(integ)))
