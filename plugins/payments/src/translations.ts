import type { PluginTranslations } from '@plinth/sdk';

/**
 * Payments' console text in other languages, keyed by the English the console shows (schema titles and
 * descriptions, humanized enum values and property names, collection and action names, route summaries,
 * navigation, permissions). Terms: دفع/مدفوعات، نية دفع/نوايا الدفع، استرداد/مبالغ مستردة، معاملة/معاملات،
 * مزوّد الدفع/مزوّدو الدفع، بوابة الدفع، خطة/خطط، اشتراك/اشتراكات، تجديد، خطاف ويب.
 */
export const translations: PluginTranslations = {
  ar: {
    // The plugin
    Payments: 'المدفوعات',
    'Takes payments through pluggable gateways (test, manual, Stripe, and more from plugins): intents, refunds, webhooks, plans and subscriptions.':
      'تحصيل المدفوعات عبر بوابات قابلة للتوصيل (الاختبار واليدوية وStripe وغيرها من الإضافات): نوايا الدفع والمبالغ المستردة وخطافات الويب والخطط والاشتراكات.',

    // Navigation, collections and their singular names
    Intents: 'نوايا الدفع',
    Intent: 'نية دفع',
    Refunds: 'المبالغ المستردة',
    Refund: 'استرداد',
    Transactions: 'المعاملات',
    Transaction: 'معاملة',
    Providers: 'مزوّدو الدفع',
    Provider: 'مزوّد الدفع',
    Plans: 'الخطط',
    Plan: 'خطة',
    Subscriptions: 'الاشتراكات',
    Subscription: 'اشتراك',
    Renewals: 'التجديدات',
    History: 'السجل',

    // Item actions
    Confirm: 'تأكيد',
    Cancel: 'إلغاء',
    'Mark paid': 'تسجيل كمدفوع',
    Resume: 'استئناف',

    // Permissions
    'View payment intents, transactions, refunds, plans and subscriptions': 'عرض نوايا الدفع والمعاملات والمبالغ المستردة والخطط والاشتراكات',
    'Create, confirm and cancel payment intents': 'إنشاء نوايا الدفع وتأكيدها وإلغاؤها',
    'Refund captured payments, fully or partly': 'استرداد المدفوعات المحصَّلة كليًا أو جزئيًا',
    'Mark a manual (bank transfer, cash) payment as received': 'تسجيل دفعة يدوية (تحويل بنكي أو نقدًا) كمستلَمة',
    'Configure payment providers and their credentials': 'إعداد مزوّدي الدفع وبيانات اعتمادهم',
    'Manage plans and subscriptions': 'إدارة الخطط والاشتراكات',

    // Settings
    'Default provider': 'مزوّد الدفع الافتراضي',
    'Provider used when an intent names none': 'المزوّد المستخدم عندما لا تحدد نية الدفع مزوّدًا',
    'Test gateway': 'بوابة الاختبار',
    'Allow the built-in test gateway (development)': 'السماح ببوابة الاختبار المدمجة (للتطوير)',
    'Manual payment instructions': 'تعليمات الدفع اليدوي',
    'Shown to payers of manual payments': 'تظهر لمن يدفعون يدويًا',
    'Return addresses': 'عناوين العودة',
    'Return address': 'عنوان عودة',
    "Origins (https://shop.example.com) of your own front ends a payer may be sent back to after a redirect gateway; this host's pages of the tenant are always allowed":
      'عناوين واجهاتك الأمامية (مثل https://shop.example.com) التي يمكن إعادة الدافع إليها بعد بوابة تحويل؛ صفحات مساحة العمل على هذا المضيف مسموح بها دائمًا',
    'Renewal attempts': 'محاولات التجديد',
    'Renewal attempts before a subscription is cancelled': 'عدد محاولات التجديد قبل إلغاء الاشتراك',
    'Minutes between attempts': 'الدقائق بين المحاولات',
    'Minutes between renewal attempts': 'عدد الدقائق بين محاولات التجديد',

    // Lists: filters
    Status: 'الحالة',
    'Metadata key': 'مفتاح البيانات الإضافية',
    'Metadata value': 'قيمة البيانات الإضافية',
    'Intent id': 'نية الدفع',
    'Plan id': 'الخطة',
    Type: 'النوع',
    Active: 'نشط',

    // Statuses and other choices
    'Requires payment method': 'بانتظار طريقة الدفع',
    'Requires action': 'بانتظار إجراء',
    Processing: 'قيد المعالجة',
    Succeeded: 'تمّ بنجاح',
    Failed: 'فشل',
    Cancelled: 'ملغى',
    'Partially refunded': 'مسترد جزئيًا',
    Refunded: 'مسترد',
    Pending: 'قيد الانتظار',
    Capture: 'تحصيل',
    Trialing: 'فترة تجريبية',
    'Past due': 'متأخر السداد',
    Day: 'يوم',
    Week: 'أسبوع',
    Month: 'شهر',
    Year: 'سنة',

    // Intents
    Amount: 'المبلغ',
    'Minor units (cents)': 'بأصغر وحدة للعملة (سنتات)',
    Currency: 'العملة',
    'ISO 4217': 'رمز ISO 4217',
    'The default provider of the settings when left out': 'مزوّد الدفع الافتراضي في الإعدادات إن لم يُحدَّد',
    Description: 'الوصف',
    Metadata: 'بيانات إضافية',
    'Your own key → value pairs, kept with the payment': 'أزواج مفتاح ← قيمة خاصة بك، تُحفظ مع الدفعة',
    Id: 'المعرّف',
    'Payment method': 'طريقة الدفع',
    'A test card number, or the gateway’s payment method id': 'رقم بطاقة اختبار، أو معرّف طريقة الدفع لدى البوابة',
    Action: 'الإجراء',
    'Completes a second step (test gateway: approve | deny)': 'يُكمل خطوة ثانية (بوابة الاختبار: approve | deny)',
    'Amount captured': 'المبلغ المحصَّل',
    'Amount refunded': 'المبلغ المسترد',
    'Next action': 'الإجراء التالي',
    'Failure reason': 'سبب الفشل',
    'Client secret': 'المفتاح السري للعميل',
    "The payer's key: only in the answer to the intent's creation": 'مفتاح الدافع: يُعاد فقط في الرد على إنشاء نية الدفع',
    'Created at': 'تاريخ الإنشاء',
    'Updated at': 'تاريخ التحديث',
    'From status': 'من حالة',
    'To status': 'إلى حالة',
    Source: 'المصدر',
    'Provider event id': 'معرّف الحدث لدى المزوّد',

    // Refunds and transactions
    Payment: 'الدفعة',
    "In the payment's currency; everything still refundable when left out": 'بعملة الدفعة؛ كل ما يمكن استرداده إن لم يُحدَّد',
    Reason: 'السبب',
    'Refund id': 'الاسترداد',

    // Providers
    Credentials: 'بيانات الاعتماد',
    "The gateway's keys by name (e.g. secret_key); kept sealed, never shown again": 'مفاتيح البوابة بأسمائها (مثل secret_key)؛ تُحفظ مشفّرة ولا تظهر مرة أخرى',
    Enabled: 'مفعَّل',
    'Credential keys': 'مفاتيح الاعتماد',
    'Credential key': 'مفتاح اعتماد',
    'Names of the saved credentials; their values are never returned': 'أسماء بيانات الاعتماد المحفوظة؛ لا تُعاد قيمها أبدًا',
    'Webhook path': 'مسار خطاف الويب',
    'No content': 'بلا محتوى',

    // Plans
    Name: 'الاسم',
    Price: 'السعر',
    'Billed every interval': 'يُفوتر كل فترة',
    'Billed every': 'الفوترة كل',
    'Intervals per bill': 'عدد الفترات لكل فاتورة',
    'Interval count': 'عدد الفترات لكل فاتورة',
    '3 with month: quarterly; 1 when left out': '3 مع «شهر»: كل ربع سنة؛ 1 إن لم يُحدَّد',
    'Trial (days)': 'الفترة التجريبية (بالأيام)',
    'Trial days': 'الفترة التجريبية (بالأيام)',
    'Retired plans take no new subscriptions': 'لا تقبل الخطط الموقوفة اشتراكات جديدة',

    // Subscriptions
    Customer: 'العميل',
    Email: 'البريد الإلكتروني',
    'The plan’s provider (else the default one) when left out': 'مزوّد الخطة (وإلا فالمزوّد الافتراضي) إن لم يُحدَّد',
    'At the end of the period': 'في نهاية الفترة',
    'Otherwise at once': 'وإلا فورًا',
    'Customer id': 'معرّف العميل',
    'Customer email': 'البريد الإلكتروني للعميل',
    'Current period start': 'بداية الفترة الحالية',
    'Current period end': 'نهاية الفترة الحالية',
    'Cancel at period end': 'الإلغاء في نهاية الفترة',
    'Cancelled at': 'تاريخ الإلغاء',
    'Dunning attempts': 'محاولات التحصيل',
    'Next attempt at': 'موعد المحاولة التالية',
    Queued: 'في قائمة الانتظار',

    // Route summaries
    'Payment intents, newest first (filter by status, provider, a metadata value)':
      'نوايا الدفع، الأحدث أولًا (التصفية حسب الحالة والمزوّد وقيمة من البيانات الإضافية)',
    'Create a payment intent (Idempotency-Key supported)': 'إنشاء نية دفع (يدعم Idempotency-Key)',
    'One payment intent': 'نية دفع واحدة',
    "An intent's status transitions, oldest first": 'تغيّرات حالة نية الدفع، الأقدم أولًا',
    'Confirm with a payment method, or complete a second step (Idempotency-Key supported)': 'التأكيد بطريقة دفع، أو إكمال خطوة ثانية (يدعم Idempotency-Key)',
    'Cancel an intent not yet paid': 'إلغاء نية دفع لم تُدفع بعد',
    'Mark a manual payment received': 'تسجيل دفعة يدوية كمستلَمة',
    'Refund a captured intent, fully or partly (Idempotency-Key supported)': 'استرداد نية دفع محصَّلة كليًا أو جزئيًا (يدعم Idempotency-Key)',
    'Refunds, newest first (filter by intent, status)': 'المبالغ المستردة، الأحدث أولًا (التصفية حسب نية الدفع والحالة)',
    'One refund': 'عملية استرداد واحدة',
    'Money captured and refunded, newest first': 'الأموال المحصَّلة والمستردة، الأحدث أولًا',
    'Configured payment providers (never their credentials)': 'مزوّدو الدفع المُعدّون (دون بيانات اعتمادهم أبدًا)',
    'One configured provider (never its credentials)': 'مزوّد دفع مُعدّ واحد (دون بيانات اعتماده أبدًا)',
    'Configure a provider: credentials are sealed and never shown again': 'إعداد مزوّد دفع: تُحفظ بيانات الاعتماد مشفّرة ولا تظهر مرة أخرى',
    "Remove a provider's configuration": 'إزالة إعدادات مزوّد دفع',
    'Plans, newest first (?active=true|false)': 'الخطط، الأحدث أولًا (?active=true|false)',
    'Create a plan': 'إنشاء خطة',
    'One plan': 'خطة واحدة',
    'Rename a plan, retire it, or change its metadata (existing subscriptions keep renewing)':
      'إعادة تسمية خطة أو إيقافها أو تغيير بياناتها الإضافية (تستمر الاشتراكات الحالية في التجدد)',
    'Subscriptions, newest first (filter by status, plan)': 'الاشتراكات، الأحدث أولًا (التصفية حسب الحالة والخطة)',
    'Start a subscription: stores the payment method, charges the first period unless the plan has a trial (Idempotency-Key supported)':
      'بدء اشتراك: تُحفظ طريقة الدفع ويُحصَّل مبلغ الفترة الأولى ما لم تتضمن الخطة فترة تجريبية (يدعم Idempotency-Key)',
    'One subscription': 'اشتراك واحد',
    'Cancel at the end of the period (default) or now (`at_period_end: false`)': 'الإلغاء في نهاية الفترة (الافتراضي) أو الآن (`at_period_end: false`)',
    'Keep a subscription set to cancel at period end': 'الإبقاء على اشتراك مُعدّ للإلغاء في نهاية الفترة',
    'Run the renewal of due subscriptions now (it also runs every 15 minutes)': 'تشغيل تجديد الاشتراكات المستحقة الآن (يعمل أيضًا كل 15 دقيقة)',
    // notifications (categories and templates: ICU placeholders and select keywords stay as they are)
    Billing: 'الفوترة',
    'When a subscription payment fails': 'عند تعذّر دفع قيمة اشتراك',
    'Your payment for {plan} did not go through': 'لم تنجح دفعتك مقابل {plan}',
    '{final, select, true {We could not renew your {plan} subscription, so it has been cancelled.} other {We could not renew your {plan} subscription. We will try again soon: please check that your payment method is up to date.}}':
      '{final, select, true {تعذّر تجديد اشتراكك في {plan}، لذا أُلغي الاشتراك.} other {تعذّر تجديد اشتراكك في {plan}. سنحاول مرة أخرى قريبًا: يُرجى التأكد من أن طريقة الدفع لديك محدَّثة.}}',
    'Renewal failed: {plan} for {customer}': 'تعذّر التجديد: {plan} للعميل {customer}',
    '{final, select, true {The renewal of {customer}’s {plan} subscription failed {attempt} times; the subscription has been cancelled.} other {The renewal of {customer}’s {plan} subscription failed (attempt {attempt}); it will be retried.}}':
      '{final, select, true {تعذّر تجديد اشتراك {customer} في {plan} بعد {attempt} محاولات، وقد أُلغي الاشتراك.} other {تعذّر تجديد اشتراك {customer} في {plan} (المحاولة {attempt})، وستُعاد المحاولة.}}',
    // the reconciliation report (title, parameters, columns)
    'Payments reconciliation': 'تسوية المدفوعات',
    'Every capture and refund by provider, with fees and net amounts (refunds negative), to match against the providers’ statements':
      'كل عملية تحصيل واسترداد حسب مزوّد الدفع، مع الرسوم والمبالغ الصافية (المبالغ المستردة بالسالب)، لمطابقتها مع كشوف مزوّدي الدفع',
    From: 'من',
    To: 'إلى',
    "First day, in the tenant's time zone": 'اليوم الأول، بالمنطقة الزمنية لمساحة العمل',
    'Last day, included': 'اليوم الأخير، ضمن الفترة',
    'Only this provider’s captures and refunds; every provider when unset': 'عمليات التحصيل والاسترداد لهذا المزوّد فقط؛ كل المزوّدين إن لم يُحدَّد',
    Date: 'التاريخ',
    'Provider reference': 'مرجع مزوّد الدفع',
    Kind: 'النوع',
    Fee: 'الرسوم',
    Net: 'الصافي',
    Reference: 'المرجع',
  },
};
