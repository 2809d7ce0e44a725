"""Building blocks of every JSON API the app serves (the REST API, the widget's and the call
controls'): strict request bodies, bounded ids, documented errors, the pre-view request screen."""
