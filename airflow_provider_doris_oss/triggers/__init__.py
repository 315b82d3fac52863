"""OSS triggers: ``OssKeyTrigger``, ``OssKeysUnchangedTrigger`` and ``OssObjectEventTrigger``.

Each lives in its own module (``key``, ``keys_unchanged``, ``object_event``); aiobotocore is
imported only when a trigger runs.
"""
