class ServiceError(Exception):
    """A refused action: `code` for machines, `message` in plain French for people.

    `field` names the form/API field at fault, when there is one. A message naming a value (a file's
    name) is given as its msgid with %(name)s placeholders and the values as `params`, so a page can
    say it in its own language (`msgid`, `params`).
    """

    status = 400

    def __init__(self, code: str, message: str, field: str | None = None, **params):
        self.msgid, self.params = message, params
        message = message % params if params else message
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self):
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data


class PermissionDenied(ServiceError):
    status = 403


class Conflict(ServiceError):
    """The action is not allowed from the object's current state."""

    status = 409


def as_conflict(error):
    """A plain refusal (400) answered as a conflict (409): what is at fault is the object's state, not the
    request (a draft submitted before it is complete: the submission itself sends nothing)."""
    if type(error) is ServiceError:
        return Conflict(error.code, error.msgid, error.field, **error.params)
    return error


class NotFound(ServiceError):
    """What the request names (a company by its SIREN, a scheme, an advisor) does not exist."""

    status = 404
