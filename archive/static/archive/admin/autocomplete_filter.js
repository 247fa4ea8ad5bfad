'use strict';
// Changelist filters with a search box: choosing a value reloads the list filtered by it.
{
    const $ = django.jQuery;
    $(function() {
        $('select.archive-autocomplete-filter').on('change', function() {
            const base = this.closest('.archive-filter-search').dataset.clearUrl || '?';
            const params = new URLSearchParams(base.replace(/^\?/, ''));
            if (this.value) {
                params.set(this.dataset.parameter, this.value);
            }
            const query = params.toString();
            window.location.search = query ? '?' + query : '';
        });
    });
}
