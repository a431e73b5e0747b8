from django.shortcuts import render

from .models import OutboxMessage


def outbox(request):
    return render(request, "demo/outbox.html", {"messages_sent": OutboxMessage.objects.all()[:50]})
