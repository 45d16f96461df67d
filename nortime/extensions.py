"""Flask extensions, created unbound here and bound to an app in create_app()."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# No global limits: only the routes that need one (login, link requests) declare it.
# Counts live where RATELIMIT_STORAGE_URI says: Redis when configured (config.validate).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
