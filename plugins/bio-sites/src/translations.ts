import type { PluginTranslations } from '@plinth/sdk';

/**
 * Bio Sites' console text in other languages, keyed by the English the console shows (schema titles and
 * descriptions, humanized enum values and property names, collection and action names, route summaries,
 * navigation, permissions). Terms: موقع/مواقع، عنصر/عناصر (a page's blocks)، رابط/روابط، رابط مختصر، مشترك/مشتركون،
 * مظهر، تحليلات، مشاهدات، نقرات.
 */
export const translations: PluginTranslations = {
  ar: {
    // The plugin
    'Bio Sites': 'مواقع البايو',
    'Link-in-bio pages with links, embeds, an email form and shop products; short links; visit and click analytics.':
      'صفحات «رابط البايو» بروابط ومحتوى مضمّن ونموذج للبريد الإلكتروني ومنتجات من المتجر؛ وروابط مختصرة؛ وتحليلات للزيارات والنقرات.',
    'Adds people who subscribe on a bio page to the CRM contacts (when the CRM is enabled)':
      'يضيف من يشترك عبر صفحة البايو إلى جهات الاتصال في CRM (عند تفعيل CRM)',
    'Reads products and their prices for product blocks (when the shop is enabled)': 'يقرأ المنتجات وأسعارها لعناصر المنتجات (عند تفعيل المتجر)',

    // Navigation, collections and their singular names
    'Bio sites': 'مواقع البايو',
    Sites: 'المواقع',
    Site: 'موقع',
    'Short links': 'الروابط المختصرة',
    'Short link': 'رابط مختصر',
    Blocks: 'العناصر',
    Block: 'عنصر',
    Links: 'الروابط',
    Subscribers: 'المشتركون',
    Subscriber: 'مشترك',
    Analytics: 'التحليلات',
    Order: 'الترتيب',

    // Item actions
    Rollup: 'تجميع',

    // Permissions
    'See bio sites, their blocks and short links': 'عرض مواقع البايو وعناصرها والروابط المختصرة',
    'Create, edit, publish and delete bio sites, their blocks and short links': 'إنشاء مواقع البايو وعناصرها والروابط المختصرة وتعديلها ونشرها وحذفها',
    "List and remove the addresses a site's form captured (kept here while the CRM is off)":
      'عرض العناوين التي جمعها نموذج الموقع وإزالتها (تُحفظ هنا ما دام CRM معطّلًا)',
    'See visit and click analytics of bio sites and short links': 'عرض تحليلات الزيارات والنقرات لمواقع البايو والروابط المختصرة',

    // Sites
    'List sites, newest first (filter by status, search slug or title)': 'عرض المواقع، الأحدث أولًا (التصفية حسب الحالة، والبحث في المعرّف في الرابط أو العنوان)',
    'Create a site (its slug must be free across every tenant)': 'إنشاء موقع (يجب ألا يكون المعرّف في الرابط مستخدمًا في أي مساحة عمل)',
    'One site': 'موقع واحد',
    'Change a site: details, theme, SEO, slug, or publish/unpublish it': 'تعديل موقع: تفاصيله أو مظهره أو SEO أو المعرّف في الرابط، أو نشره وإلغاء نشره',
    'Delete a site with its blocks, subscribers and statistics; frees its slug': 'حذف موقع مع عناصره ومشتركيه وإحصاءاته؛ ويصبح المعرّف في الرابط متاحًا',
    Status: 'الحالة',
    Published: 'منشور',
    Unpublished: 'غير منشور',
    Q: 'بحث',
    'Matches the slug or the title': 'يطابق المعرّف في الرابط أو العنوان',
    Id: 'المعرّف',
    Slug: 'المعرّف في الرابط',
    Address: 'عنوان الويب',
    'Globally unique; 3–40 lower-case letters, digits and inner hyphens': 'فريد على مستوى المنصة؛ من 3 إلى 40 حرفًا لاتينيًا صغيرًا أو رقمًا، مع شرطات في الوسط',
    Title: 'العنوان',
    Bio: 'النبذة',
    'Avatar URL': 'رابط الصورة الرمزية',
    'Avatar url': 'رابط الصورة الرمزية',
    'An https image URL (an uploaded avatar image wins)': 'رابط صورة https (تُقدَّم عليه الصورة الرمزية المرفوعة)',
    'Avatar image': 'الصورة الرمزية',
    'Avatar file id': 'معرّف ملف الصورة الرمزية',
    'An uploaded image shown on the page (instead of the avatar URL)': 'صورة مرفوعة تظهر في الصفحة (بدلًا من رابط الصورة الرمزية)',
    'Custom domain': 'النطاق المخصّص',
    'A lower-case host name the page also answers on, once the tenant verified it in core':
      'اسم مضيف بأحرف صغيرة تُعرض عليه الصفحة أيضًا، بعد أن تتحقق منه مساحة العمل في المنصة',
    Theme: 'المظهر',
    Preset: 'النمط الجاهز',
    'The colours to start from': 'الألوان التي يُبدأ منها',
    Light: 'فاتح',
    Dark: 'داكن',
    Sunset: 'غروب',
    Forest: 'غابة',
    Ocean: 'محيط',
    'Background colour': 'لون الخلفية',
    "A colour as #rrggbb; the preset's when empty": 'لون بصيغة #rrggbb؛ لون النمط الجاهز إن تُرك فارغًا',
    'Text colour': 'لون النص',
    'Accent colour': 'اللون المميّز',
    Font: 'الخط',
    System: 'خط النظام',
    Serif: 'خط مذيّل',
    Mono: 'خط ثابت العرض',
    Rounded: 'خط مستدير',
    Seo: 'SEO',
    'Search and sharing': 'البحث والمشاركة',
    "The page's title in search results; the site title when empty": 'عنوان الصفحة في نتائج البحث؛ عنوان الموقع إن تُرك فارغًا',
    Description: 'الوصف',
    'Sharing image': 'صورة المشاركة',
    'Image url': 'رابط الصورة',
    'An https image URL shown when the page is shared': 'رابط صورة https تظهر عند مشاركة الصفحة',
    'Published at': 'تاريخ النشر',
    Url: 'الرابط',
    'Created at': 'تاريخ الإنشاء',
    'Updated at': 'تاريخ التحديث',
    'No content': 'بلا محتوى',

    // Blocks
    "The site's blocks in page order": 'عناصر الموقع بترتيبها في الصفحة',
    'Add a block (link, heading, text, image, social, embed, email_capture)':
      'إضافة عنصر (رابط أو عنوان رئيسي أو نص أو صورة أو حسابات تواصل أو محتوى مضمّن أو جمع بريد إلكتروني)',
    "Reorder the site's blocks (every block id, in the new order)": 'إعادة ترتيب عناصر الموقع (معرّفات كل العناصر بالترتيب الجديد)',
    'One block': 'عنصر واحد',
    'Change a block (its data, schedule, active flag or position)': 'تعديل عنصر (بياناته أو جدول ظهوره أو تفعيله أو موضعه)',
    'Remove a block': 'إزالة عنصر',
    "The site's link blocks in page order": 'عناصر الروابط في الموقع بترتيبها في الصفحة',
    'Add a link block (title, http/https URL, icon, schedule)': 'إضافة عنصر رابط (العنوان ورابط http/https والأيقونة وجدول الظهور)',
    'Site id': 'معرّف الموقع',
    Type: 'النوع',
    Link: 'الرابط',
    Heading: 'عنوان رئيسي',
    Text: 'نص',
    Image: 'صورة',
    Social: 'حسابات التواصل',
    Embed: 'محتوى مضمّن',
    'Email capture': 'جمع البريد الإلكتروني',
    Product: 'منتج',
    Position: 'الموضع',
    'From 0 at the top; the end of the page when left out': 'من 0 في الأعلى؛ آخر الصفحة إن لم يُحدَّد',
    Data: 'البيانات',
    Content: 'المحتوى',
    "The type's fields (see the README)": 'حقول النوع (راجع ملف README)',
    Active: 'نشط',
    Shown: 'ظاهر',
    'Shown at all': 'هل يظهر في الصفحة أصلًا',
    'Starts at': 'يبدأ في',
    'Shown from': 'يظهر من',
    'None: at once': 'بدونه: فورًا',
    'Ends at': 'ينتهي في',
    'Shown until': 'يظهر حتى',
    'None: for good': 'بدونه: دائمًا',
    Live: 'معروض الآن',
    Ids: 'المعرّفات',
    Icon: 'الأيقونة',

    // Subscribers
    "The site's subscribers, newest first (kept here when the CRM is not enabled)": 'مشتركو الموقع، الأحدث أولًا (يُحفظون هنا حين لا يكون CRM مفعّلًا)',
    'Remove a subscriber (an unsubscribe or erasure request)': 'إزالة مشترك (طلب إلغاء اشتراك أو محو بيانات)',
    Email: 'البريد الإلكتروني',

    // Short links
    'List short links, newest first': 'عرض الروابط المختصرة، الأحدث أولًا',
    'Create a short link (its code must be free across every tenant; generated when left out)':
      'إنشاء رابط مختصر (يجب ألا يكون رمزه مستخدمًا في أي مساحة عمل؛ ويُولَّد تلقائيًا إن لم يُحدَّد)',
    'One short link': 'رابط مختصر واحد',
    'Change a short link': 'تعديل رابط مختصر',
    'Delete a short link with its statistics; frees its code': 'حذف رابط مختصر مع إحصاءاته؛ ويصبح رمزه متاحًا',
    Code: 'الرمز',
    'Globally unique; generated when left out': 'فريد على مستوى المنصة؛ يُولَّد تلقائيًا إن لم يُحدَّد',
    Target: 'الوجهة',
    'Target url': 'رابط الوجهة',
    'Where the short link sends visitors': 'الصفحة التي يوجّه إليها الرابط المختصر الزوار',

    // Analytics
    "A site's visits, unique visitors and clicks per day, per link and by referrer, device and country":
      'زيارات الموقع وزواره الفريدون ونقراته يوميًا ولكل رابط، وحسب مصدر الإحالة والجهاز والدولة',
    "A link block's clicks and unique clickers per day and by referrer, device and country":
      'نقرات عنصر الرابط والناقرون الفريدون يوميًا، وحسب مصدر الإحالة والجهاز والدولة',
    "A short link's clicks and unique clickers per day and by referrer, device and country":
      'نقرات الرابط المختصر والناقرون الفريدون يوميًا، وحسب مصدر الإحالة والجهاز والدولة',
    'Roll pending visits and clicks up now instead of at the next scheduled run': 'تجميع الزيارات والنقرات المعلّقة الآن بدلًا من انتظار التشغيل المجدول التالي',
    From: 'من',
    'First UTC day (default: 29 days before `to`)': 'أول يوم بتوقيت UTC (الافتراضي: قبل `to` بـ 29 يومًا)',
    To: 'إلى',
    'Last UTC day (default: today)': 'آخر يوم بتوقيت UTC (الافتراضي: اليوم)',
    Totals: 'الإجماليات',
    Views: 'المشاهدات',
    Clicks: 'النقرات',
    Uniques: 'الزوار الفريدون',
    Series: 'السلسلة اليومية',
    Sery: 'يوم',
    Day: 'اليوم',
    Referrers: 'مصادر الإحالة',
    Referrer: 'مصدر الإحالة',
    Devices: 'الأجهزة',
    Device: 'جهاز',
    Countries: 'الدول',
    Country: 'دولة',
    Value: 'القيمة',
    'Link id': 'معرّف الرابط',
    Queued: 'في قائمة الانتظار',
  },
};
